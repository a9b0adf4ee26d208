// Independent check of HL7 v2 messages (issue 14): each file given is parsed by the hl7v2 library (not by
// IdentityRef's codec) and checked against the HL7 v2.5 field definitions of hl7v2-dictionary (data types,
// repetitions) and against the PAM FR 2.11 segment tables of its event (segments, required and forbidden fields,
// table values). Prints one line per problem, "file: SEG-n: text"; exit code 1 when there is any.
// Usage: node check.mjs FILE...
import { readFileSync } from 'node:fs';
import { HL7Message, dictionaries } from 'hl7v2';

const dict = dictionaries['2.5'];

// ---- PAM FR 2.11 tables (IHE France PAM national extension; HL7 v2.5 tables as France constrains them) ----
const tables = {
  sex: ['F', 'M', 'U'], // 0001
  reliability: ['VIDE', 'PROV', 'VALI', 'DOUB', 'DESA', 'DPOT', 'DOUA', 'COLP', 'COLV', 'FILI', 'CACH', 'ANOM', 'IDVER',
    'RECD', 'IDRA', 'USUR', 'HOMD', 'HOMA', 'INVA', 'FICT', 'DOUT'], // 0445 (France)
  nameType: ['L', 'D', 'S', 'M', 'A'], // 0200 as PAM FR uses it
  idType: ['PI', 'INS', 'PN', 'AN', 'VN', 'PT', 'NH'], // 0203 (France: PI IPP, INS)
  addressType: ['H', 'BDL', 'O', 'M', 'C', 'L', 'BR', 'B'], // 0190
  telecomUse: ['PRN', 'ORN', 'WPN', 'VHN', 'ASN', 'EMR', 'NET', 'BPN', 'PRS'], // 0201
  equipment: ['PH', 'FX', 'MD', 'CP', 'BP', 'Internet', 'X.400', 'TDD', 'TTY'], // 0202
  charset: ['ASCII', '8859/1', '8859/15', 'UNICODE UTF-8'], // 0211 as PAM FR receivers accept it
  ackCode: ['AA', 'AE', 'AR'], // 0008
  severity: ['E', 'W', 'I'], // 0516
  errorCode: ['0', '100', '101', '102', '103', '200', '201', '202', '203', '204', '205', '206', '207'], // 0357
  obtainingMode: ['SM', 'CV', 'INSI', 'CB', 'RFID'], // ZFD-5
  documentType: ['AN', 'CC', 'CE', 'CM', 'CN', 'CS', 'LE', 'PA', 'PC', 'TC', 'AV', 'DC', 'AC', 'IE'], // ZFD-7
  yesNo: ['Y', 'N'],
  insOids: ['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9', '1.2.250.1.213.1.4.10', '1.2.250.1.213.1.4.11'],
};

// Segment order per event: [name, min, max]; PAM FR §4 / ITI TF-2 3.30
const structures = {
  'ADT^A28^ADT_A05': [['MSH', 1, 1], ['EVN', 1, 1], ['PID', 1, 1], ['PD1', 0, 1], ['NK1', 0, 99], ['PV1', 1, 1], ['ZFA', 0, 1], ['ZFD', 0, 1]],
  'ADT^A31^ADT_A05': [['MSH', 1, 1], ['EVN', 1, 1], ['PID', 1, 1], ['PD1', 0, 1], ['NK1', 0, 99], ['PV1', 1, 1], ['ZFA', 0, 1], ['ZFD', 0, 1]],
  'ADT^A47^ADT_A30': [['MSH', 1, 1], ['EVN', 1, 1], ['PID', 1, 1], ['PD1', 0, 1], ['MRG', 1, 1]],
  'ADT^A40^ADT_A39': [['MSH', 1, 1], ['EVN', 1, 1], ['PID', 1, 1], ['PD1', 0, 1], ['MRG', 1, 1]],
  'ADT^A24^ADT_A24': [['MSH', 1, 1], ['EVN', 1, 1], ['PID', 1, 1], ['PD1', 0, 1], ['PV1', 0, 1], ['PID', 1, 1], ['PD1', 0, 1], ['PV1', 0, 1]],
  'ADT^A37^ADT_A37': [['MSH', 1, 1], ['EVN', 1, 1], ['PID', 1, 1], ['PD1', 0, 1], ['PV1', 0, 1], ['PID', 1, 1], ['PD1', 0, 1], ['PV1', 0, 1]],
  ACK: [['MSH', 1, 1], ['MSA', 1, 1], ['ERR', 0, 50]],
};

// Field rules per segment: required (R), forbidden in France (X), table per component (field.component)
const segmentRules = {
  MSH: { R: [1, 2, 7, 9, 10, 11, 12], tables: { 18: tables.charset } },
  EVN: { R: [2] },
  PID: {
    R: [3, 5],
    X: [2, 4, 9, 10, 12, 17, 19, 20, 22, 28], // PAM FR: not used in France (race, religion, ethnic group among them)
    tables: { '3.5': tables.idType, '5.7': tables.nameType, 8: tables.sex, '11.7': tables.addressType, '13.2': tables.telecomUse, '13.3': tables.equipment, 32: tables.reliability },
  },
  PV1: { R: [2] },
  MRG: { R: [1], tables: { '1.5': tables.idType } },
  MSA: { R: [1, 2], tables: { 1: tables.ackCode } },
  ERR: { R: [3, 4], tables: { '3.1': tables.errorCode, 4: tables.severity } },
  ZFD: { tables: { 4: tables.yesNo, 5: tables.obtainingMode, 7: tables.documentType } },
};

// Z segment of PAM FR: ZFD-1 lunar date (NA), 4 ID, 5 IS, 6 DT, 7 IS, 8 DT
const zfdTypes = { 4: 'ID', 5: 'IS', 6: 'DT', 7: 'IS', 8: 'DT' };

const formats = {
  TS: /^\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2}(\.\d{1,4})?)?)?)?)?)?([+-]\d{4})?$/,
  DTM: /^\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2}(\.\d{1,4})?)?)?)?)?)?([+-]\d{4})?$/,
  DT: /^\d{4}(\d{2}(\d{2})?)?$/,
  NM: /^[+-]?\d*\.?\d+$/,
  SI: /^\d{1,4}$/,
};

const isNull = (s) => s === '""';

function checkFormat(type, value, where, problems) {
  const re = formats[type];
  if (re && value !== '' && !isNull(value) && !re.test(value)) {
    problems.push(`${where}: "${value}" is not a valid ${type}`);
  }
}

// The hl7v2 library gives the segments, their order and the v2.5 definitions; the values are read from the wire
// text as decoded with MSH-18 (the library decodes every message as UTF-8 and coerces TS values to dates, which
// would hide exactly the mistakes this check is for).
const charsets = { ASCII: 'ascii', '8859/1': 'latin1', '8859/15': 'iso-8859-15', 'UNICODE UTF-8': 'utf-8', '': 'ascii' };

function decode(bytes, problems) {
  const firstLine = Buffer.from(bytes).toString('latin1').split(/\r|\n/)[0];
  const msh18 = (firstLine.split(firstLine[3])[17] ?? '').split(firstLine[4])[0];
  const label = charsets[msh18];
  if (!label) {
    problems.push(`MSH-18: "${msh18}" is not a character set PAM FR receivers accept`);
    return Buffer.from(bytes).toString('latin1');
  }
  if (label === 'ascii') {
    if (bytes.some((b) => b > 0x7f)) problems.push('bytes beyond ASCII although MSH-18 declares ASCII');
    return Buffer.from(bytes).toString('latin1');
  }
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch {
    problems.push(`bytes that are not valid ${msh18}`);
    return new TextDecoder(label).decode(bytes);
  }
}

function checkMessage(file) {
  const problems = [];
  const bytes = readFileSync(file);
  let message;
  try {
    message = HL7Message.parse(bytes);
  } catch (e) {
    return [`the hl7v2 library cannot parse it: ${e.message}`];
  }
  const text = decode(bytes, problems);
  const fs = message.fieldSeparator, cs = message.componentSeparator, rs = message.repetitionSeparator, ss = message.subComponentSeparator;
  const lines = text.split(/\r\n|\r|\n/).filter((l) => l.length > 0);
  if (lines.length !== message.segments.length) problems.push(`the library read ${message.segments.length} segments, the text has ${lines.length}`);
  // raw[i][f] = wire text of field f of segment i (MSH-1 is the separator, so MSH fields shift by one)
  const raw = lines.map((line) => {
    const parts = line.split(fs);
    return parts[0] === 'MSH' ? [parts[0], fs, ...parts.slice(1)] : parts;
  });
  const field = (i, f) => raw[i][f] ?? '';
  const reps = (value) => (value === '' ? [] : value.split(rs));
  const comp = (rep, c) => rep.split(cs)[c - 1] ?? '';

  const segments = message.segments;
  const type = field(0, 9);
  const key = type.startsWith('ACK') ? 'ACK' : type;
  const structure = structures[key];
  if (!structure) {
    return [...problems, `MSH-9 "${type}" is not a PAM FR ITI-30 message nor an ACK`];
  }
  const version = field(0, 12);
  // an ACK answers in the version of the message it acknowledges; the messages we send are v2.5
  if (key !== 'ACK') {
    if (comp(version, 1) !== '2.5') problems.push(`MSH-12: "${version}" is not HL7 v2.5`);
    if (version !== '2.5^FRA^2.11') problems.push('MSH-12 must be 2.5^FRA^2.11');
    if (field(0, 21) !== '2.11^IHE_FRANCE-2.11-PAM') problems.push('MSH-21 must be 2.11^IHE_FRANCE-2.11-PAM');
    if (field(0, 17) !== 'FRA') problems.push('MSH-17 must be FRA');
  }

  // segment order and cardinality
  let i = 0;
  for (const [name, min, max] of structure) {
    let count = 0;
    while (i < segments.length && segments[i].segmentType === name && count < max) {
      i++;
      count++;
    }
    if (count < min) problems.push(`segment ${name} required at position ${i + 1}, found ${segments[i]?.segmentType ?? 'end'}`);
  }
  if (i < segments.length) problems.push(`segment ${segments[i].segmentType} not allowed at position ${i + 1} of ${key}`);

  const seen = {};
  raw.forEach((fields, s) => {
    const name = fields[0];
    if (segments[s]?.segmentType !== name) problems.push(`segment ${s + 1}: the library read ${segments[s]?.segmentType}, the text says ${name}`);
    const seq = (seen[name] = (seen[name] ?? 0) + 1);
    const rules = segmentRules[name] ?? {};
    const definition = dict.segments[name]?.fields ?? {};
    for (const r of rules.R ?? []) {
      if (field(s, r) === '') problems.push(`${name}-${r}: required`);
    }
    for (const x of rules.X ?? []) {
      if (field(s, x) !== '') problems.push(`${name}-${x}: not used in France, must be empty`);
    }
    for (let f = name === 'MSH' ? 3 : 1; f < fields.length; f++) {
      const value = fields[f];
      if (value === '') continue;
      const def = name === 'ZFD' ? (zfdTypes[f] ? { type: zfdTypes[f], rep: 1 } : undefined) : definition[f];
      const where = `${name}${seq > 1 ? `(${seq})` : ''}-${f}`;
      if (!def) {
        if (!name.startsWith('Z')) problems.push(`${where}: no such field in HL7 v2.5`);
        continue;
      }
      const repetitions = reps(value);
      if (def.rep === 1 && repetitions.length > 1) problems.push(`${where}: repeats, but HL7 v2.5 allows one value`);
      const components = dict.types[def.type]?.fields;
      const composite = components && Object.keys(components).length > 0;
      for (const rep of repetitions) {
        if (!composite) {
          checkFormat(def.type, rep, where, problems);
        } else {
          for (const [c, cdef] of Object.entries(components)) {
            const part = comp(rep, Number(c));
            if (part === '') continue;
            const inner = dict.types[cdef.type]?.fields;
            if (inner && Object.keys(inner).length > 0) {
              const subs = part.split(ss);
              Object.entries(inner).forEach(([k, sdef]) => checkFormat(sdef.type, subs[Number(k) - 1] ?? '', `${where}.${c}.${k}`, problems));
            } else {
              checkFormat(cdef.type, part, `${where}.${c}`, problems);
            }
          }
        }
        for (const [at, values] of Object.entries(rules.tables ?? {})) {
          const [tf, tc] = String(at).split('.').map(Number);
          if (tf !== f) continue;
          const v = tc ? comp(rep, tc) : comp(rep, 1);
          if (v !== '' && !isNull(v) && !values.includes(v)) problems.push(`${where}${tc ? `.${tc}` : ''}: "${v}" not in its table`);
        }
      }
    }

    if (name === 'PID') {
      for (const rep of reps(field(s, 3)).filter((r) => comp(r, 5) === 'INS')) {
        const id = comp(rep, 1);
        const oid = comp(rep, 4).split(ss)[1] ?? '';
        if (!tables.insOids.includes(oid)) problems.push(`PID-3: INS authority "${oid}" is not an INS OID`);
        if (!isNull(id)) {
          if (!/^[0-9AB]{15}$/.test(id)) problems.push('PID-3: an INS has 15 characters');
          if (reps(field(s, 32))[0] !== 'VALI') problems.push('PID-32: an INS travels only with VALI');
          if (field(s, 7) === '' || field(s, 8) === '') problems.push('PID-7/PID-8: required with an INS');
        }
      }
      if (!reps(field(s, 5)).some((rep) => comp(rep, 7) === 'L')) problems.push('PID-5: the birth name (type L) is required');
    }
    if (name === 'PV1' && (key.startsWith('ADT^A28') || key.startsWith('ADT^A31')) && field(s, 2) !== 'N') {
      problems.push('PV1-2: the pseudo PV1 of A28/A31 holds N');
    }
  });
  return problems;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node check.mjs FILE...');
  process.exit(2);
}
let failed = 0;
for (const file of files) {
  for (const problem of checkMessage(file)) {
    console.log(`${file}: ${problem}`);
    failed++;
  }
}
console.log(`checked ${files.length} message(s), ${failed} problem(s)`);
process.exit(failed > 0 ? 1 : 0);
