import { parseNow } from './oracle/grammar/oracleGrammar.js';
for (const q of process.argv.slice(2)) console.log(q, '=>', JSON.stringify(parseNow(q, 'sql')));
