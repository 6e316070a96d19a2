/**
 * An error meant for the person at the terminal or the operator reading a queue row:
 * one line, naming the field and what is accepted. The CLI prints its message without a stack.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    /** 1 = refused input or failed operation, 2 = command-line usage. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
