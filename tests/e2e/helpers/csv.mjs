// csv.mjs - a strict RFC 4180 reader for the tests: CRLF record ends, quoted fields with "" escapes, and a throw
// (naming the offset) for anything a lenient reader would guess at (a bare LF or CR, a quote inside an unquoted field,
// text after a closing quote, an unterminated quote, records of different widths).

/** Parses text (one CSV document, every record ended by CRLF) into an array of records (arrays of strings). */
export function parseCsvStrict(text) {
  const records = [];
  let record = [];
  let field = '';
  let i = 0;
  const fail = (why) => { throw new Error(`CSV: ${why} at offset ${i}`); };
  const endField = () => { record.push(field); field = ''; };
  while (i < text.length) {
    if (text[i] === '"' && field === '') {
      i++;
      for (;;) {
        if (i >= text.length) fail('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ',' && text[i] !== '\r') fail('text after a closing quote');
      if (i >= text.length) fail('record not ended by CRLF');
    }
    const c = text[i];
    if (c === ',') { endField(); i++; continue; }
    if (c === '\r') {
      if (text[i + 1] !== '\n') fail('CR without LF');
      endField();
      records.push(record);
      record = [];
      i += 2;
      continue;
    }
    if (c === '\n') fail('bare LF (records end with CRLF)');
    if (c === '"') fail('quote inside an unquoted field');
    field += c;
    i++;
  }
  if (field !== '' || record.length) fail('last record not ended by CRLF');
  for (const [n, r] of records.entries()) {
    if (r.length !== records[0].length) throw new Error(`CSV: record ${n} has ${r.length} fields, the header ${records[0].length}`);
  }
  return records;
}
