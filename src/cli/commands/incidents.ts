/**
 * `mlobs incidents` and `mlobs diagnose <id>`: what the analysis found, read from the state
 * database of a collector (also while it runs) — incidents with their root cause, and one
 * incident's ranked causes with their evidence and path.
 */
import { parseArgs } from 'node:util';
import { findIncident, incidentsOf } from '../../collector/api/stateApi.js';
import { IncidentReader } from '../../collector/store/IncidentReader.js';
import { MlobsError } from '../../errors.js';
import type { CliIO, Command } from '../Command.js';
import { diagnosisText, incidentTable } from '../format/incidentText.js';

/** Where the default config (`npm start`) keeps its state. */
const DEFAULT_STATE = './.mlobs/state.db';

const stateUsage = [
  `  -s, --state <file>  the ml processor's state database (default ${DEFAULT_STATE},`,
  "                      the default config's `processors::ml: storage.path`)",
  '      --json          print JSON instead of text',
  '  -h, --help          show this help',
];

function withReader(path: string, io: CliIO, f: (r: IncidentReader) => number): number {
  let reader: IncidentReader;
  try {
    reader = new IncidentReader(path);
  } catch (err) {
    if (!(err instanceof MlobsError)) throw err;
    io.stderr(`${err.message}\n`);
    return 1;
  }
  try {
    return f(reader);
  } catch (err) {
    if (!(err instanceof MlobsError)) throw err;
    io.stderr(`${err.message}\n`);
    return 1;
  } finally {
    reader.close();
  }
}

/** Lists incidents with their root cause. */
export const incidentsCommand: Command = {
  name: 'incidents',
  summary: "list incidents with their root cause, from a collector's state database",
  usage: [
    'Usage: mlobs incidents [--state <file>] [--open] [--json]',
    '',
    'Lists the incidents the ml processor recorded, oldest first, with the component the',
    'diagnosis ranks first as their root cause. Safe while the collector runs.',
    '',
    'Options:',
    '      --open          only incidents that are still open',
    ...stateUsage,
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        state: { type: 'string', short: 's' },
        open: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      io.stdout(`${this.usage}\n`);
      return 0;
    }
    return withReader(values.state ?? DEFAULT_STATE, io, (r) => {
      const list = incidentsOf(r, values.open ? { state: 'open' } : {});
      const reactions = (id: string) => r.reactions({ incidentId: id });
      if (values.json)
        io.stdout(
          `${JSON.stringify(
            list.map((i) => ({ ...i, reactions: reactions(i.id) })),
            null,
            2,
          )}\n`,
        );
      else if (list.length === 0) io.stdout(values.open ? 'no open incidents\n' : 'no incidents\n');
      else io.stdout(`${incidentTable(list, reactions)}\n`);
      return 0;
    });
  },
};

/** Prints one incident's ranked causes with their evidence. */
export const diagnoseCommand: Command = {
  name: 'diagnose',
  summary: "print an incident's ranked root causes with their evidence and path",
  usage: [
    'Usage: mlobs diagnose <incident-id> [--state <file>] [--json]',
    '',
    'Prints the causes the diagnosis ranked for one incident (an id or a unique prefix of',
    'one, as `mlobs incidents` lists them), most likely first: the component, the kind of',
    'cause, a sentence to act on, the path from the cause to the symptoms, the features that',
    'moved, traces that contain the faulty runs, and the reactions taken (each ml.reaction',
    'record: triggered or held back, the outcome the pipeline reported, the undo). Safe while',
    'the collector runs.',
    '',
    'Options:',
    ...stateUsage,
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        state: { type: 'string', short: 's' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    });
    if (values.help) {
      io.stdout(`${this.usage}\n`);
      return 0;
    }
    if (positionals.length !== 1) {
      io.stderr(`mlobs diagnose: give exactly one incident id\n\n${this.usage}\n`);
      return 2;
    }
    const id = positionals[0]!;
    return withReader(values.state ?? DEFAULT_STATE, io, (r) => {
      const i = findIncident(r, id);
      if (i === undefined) {
        io.stderr(`mlobs diagnose: no incident '${id}' in ${r.path} (see mlobs incidents)\n`);
        return 1;
      }
      const reactions = r.reactions({ incidentId: i.id });
      io.stdout(
        values.json
          ? `${JSON.stringify({ ...i, reactions }, null, 2)}\n`
          : `${diagnosisText(i, reactions)}\n`,
      );
      return 0;
    });
  },
};
