import {
  type IdentifierNode,
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { SEQUENCES, TABLES } from './schema.js';

/**
 * Installs that renamed the DW tables (`DMS_PRCREQ` instead of `DWPRCREQ`) differ only in the
 * leading `DW`. Code and SQL files use the default names; these helpers swap the prefix.
 */
const KNOWN = new Set<string>([...TABLES, ...SEQUENCES]);

function withPrefix(name: string, prefix: string): string {
  const renamed = prefix + name.slice(2);
  return name === name.toUpperCase() ? renamed.toUpperCase() : renamed.toLowerCase();
}

/** The configured name of a known table or sequence, in the case of `name`. */
export function objectName(name: string, prefix: string): string {
  if (!KNOWN.has(name.toLowerCase())) throw new Error(`unknown DW object ${name}`);
  return prefix.toUpperCase() === 'DW' ? name : withPrefix(name, prefix);
}

const KNOWN_NAMES_IN_SQL = new RegExp(`\\b(${[...KNOWN].join('|')})\\b`, 'gi');

/** Rewrites the known table and sequence names inside a migration file's text. */
export function renameObjectsInSql(text: string, prefix: string): string {
  if (prefix.toUpperCase() === 'DW') return text;
  return text.replace(KNOWN_NAMES_IN_SQL, (name) => withPrefix(name, prefix));
}

class PrefixTransformer extends OperationNodeTransformer {
  constructor(private readonly prefix: string) {
    super();
  }
  protected override transformIdentifier(node: IdentifierNode): IdentifierNode {
    const transformed = super.transformIdentifier(node);
    return KNOWN.has(transformed.name.toLowerCase())
      ? { ...transformed, name: withPrefix(transformed.name, this.prefix) }
      : transformed;
  }
}

/** Kysely plugin; must run after CamelCasePlugin so it sees the final (upper/lower) case. */
export class TablePrefixPlugin implements KyselyPlugin {
  readonly #transformer: PrefixTransformer;
  constructor(prefix: string) {
    this.#transformer = new PrefixTransformer(prefix);
  }
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node, args.queryId);
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
