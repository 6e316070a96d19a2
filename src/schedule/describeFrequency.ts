import type { ScheduleFields } from './validate.js';

/** `WK MON 09:30`, `ID every 15 min`, `ID hourly at :05`: the stored text, shown as stored. */
export function describeFrequency(fields: Pick<ScheduleFields, 'frqcd' | 'frqdd' | 'frqhh' | 'frqmi'>): string {
  const pad = (text: string | null) => (text && /^\d$/.test(text) ? `0${text}` : (text ?? '?'));
  if (fields.frqcd === 'ID') return fields.frqhh === '-1' ? `ID every ${fields.frqmi} min` : `ID hourly at :${pad(fields.frqmi)}`;
  return [fields.frqcd ?? '?', fields.frqcd === 'DL' ? null : fields.frqdd, `${pad(fields.frqhh)}:${pad(fields.frqmi)}`].filter(Boolean).join(' ');
}
