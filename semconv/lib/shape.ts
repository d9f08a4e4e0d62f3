/**
 * Reads one raw YAML group into a draft, checking everything that can be checked without
 * looking at other groups: required fields, known keys and types, names, enum members and
 * examples. Cross-group rules (unique ids, refs, extends) are in validate.ts.
 */
import { exampleProblems, normalizeExamples } from './examples.js';
import { requirementLevel, SPAN_KINDS, stability, text, unknownKeys } from './fields.js';
import { isRecord } from './load.js';
import { eventNameProblem, groupIdProblem, memberIdProblem, nameProblem } from './names.js';
import {
  type Attribute,
  type AttributeType,
  type EnumMember,
  GROUP_TYPES,
  type GroupFields,
  type GroupType,
  PRIMITIVE_TYPES,
  type PrimitiveType,
  type Problem,
  type RequirementLevel,
} from './types.js';

const GROUP_KEYS = [
  'id',
  'type',
  'brief',
  'note',
  'stability',
  'display_name',
  'name',
  'span_kind',
  'events',
  'extends',
  'attributes',
];
const ATTRIBUTE_KEYS = ['id', 'type', 'brief', 'note', 'examples', 'requirement_level', 'stability'];
const REF_KEYS = ['ref', 'requirement_level'];
const MEMBER_KEYS = ['id', 'value', 'brief', 'note', 'stability'];

/** A reference from a group to a registry attribute, not yet resolved. */
export interface DraftRef {
  /** The referenced attribute id. */
  ref: string;
  /** The level the group sets, undefined to inherit the attribute's default. */
  requirementLevel: RequirementLevel | undefined;
}

/** A group as its file states it, refs and `extends` not yet resolved. */
export interface DraftGroup extends GroupFields {
  /** Attributes referenced here. */
  refs: DraftRef[];
}

/** Checks one raw group; returns its draft (undefined when too broken to use) and its problems. */
export function shapeGroup(
  file: string,
  raw: unknown,
  index: number,
): { group?: DraftGroup; problems: Problem[] } {
  const problems: Problem[] = [];
  const label = isRecord(raw) && typeof raw['id'] === 'string' ? raw['id'] : `#${index + 1}`;
  const report = (attribute: string, message: string) =>
    problems.push({ file, group: label, attribute, message });
  if (!isRecord(raw) || typeof raw['id'] !== 'string') {
    report('', "every group needs a string 'id'");
    return { problems };
  }
  unknownKeys(raw, GROUP_KEYS, (m) => report('', m));
  const idProblem = groupIdProblem(label);
  if (idProblem) report('', idProblem);
  const type = raw['type'];
  if (!GROUP_TYPES.includes(type as GroupType)) {
    report('', `unknown group type ${JSON.stringify(type)} (expected one of ${GROUP_TYPES.join(', ')})`);
    return { problems };
  }
  const group: DraftGroup = {
    id: label,
    type: type as GroupType,
    file,
    brief: text(raw['brief'], 'brief', true, (m) => report('', m)),
    note: text(raw['note'], 'note', false, (m) => report('', m)),
    stability: stability(raw['stability'], type !== 'attribute_group', (m) => report('', m)),
    displayName: text(raw['display_name'], 'display_name', false, (m) => report('', m)),
    name: '',
    spanKind: '',
    events: [],
    extends: text(raw['extends'], 'extends', false, (m) => report('', m)),
    defines: [],
    refs: [],
  };
  if (type === 'event') {
    group.name = text(raw['name'], 'name', true, (m) => report('', m));
    const problem = group.name ? eventNameProblem(group.name) : '';
    if (problem) report('', problem);
  } else if (raw['name'] !== undefined) report('', "'name' is only for event groups");
  if (type === 'span') {
    group.spanKind = text(raw['span_kind'], 'span_kind', true, (m) => report('', m));
    if (group.spanKind && !SPAN_KINDS.includes(group.spanKind)) {
      report('', `unknown span_kind '${group.spanKind}' (expected one of ${SPAN_KINDS.join(', ')})`);
    }
    const events = raw['events'] ?? [];
    if (Array.isArray(events) && events.every((e) => typeof e === 'string')) group.events = events;
    else report('', "'events' must be a list of event group ids");
  } else if (raw['span_kind'] !== undefined || raw['events'] !== undefined) {
    report('', "'span_kind' and 'events' are only for span groups");
  }
  const attributes = raw['attributes'] ?? [];
  if (!Array.isArray(attributes)) report('', "'attributes' must be a list");
  else if (attributes.length === 0 && !group.extends) report('', "a group needs 'attributes' or 'extends'");
  const isRegistry = group.type === 'attribute_group' && group.id.startsWith('registry.');
  for (const [i, entry] of (Array.isArray(attributes) ? attributes : []).entries()) {
    if (isRecord(entry) && typeof entry['ref'] === 'string') {
      const ref = entry['ref'];
      if (isRegistry)
        report(ref, 'registry groups define attributes; a ref belongs in a span, event or attribute group');
      unknownKeys(entry, REF_KEYS, (m) => report(ref, `${m} (a ref only sets requirement_level)`));
      const level = entry['requirement_level'];
      group.refs.push({
        ref,
        requirementLevel: level === undefined ? undefined : requirementLevel(level, (m) => report(ref, m)),
      });
    } else if (isRecord(entry) && typeof entry['id'] === 'string') {
      const id = entry['id'];
      if (!isRegistry)
        report(id, "attributes are defined only in registry groups (id 'registry.*'); use ref here");
      const attribute = shapeAttribute(entry, (m) => report(id, m));
      const namespace = group.id.slice('registry.'.length);
      if (isRegistry && !id.startsWith(`${namespace}.`))
        report(id, `is outside the group's namespace '${namespace}'`);
      if (attribute) group.defines.push(attribute);
    } else report(`#${i + 1}`, "every attribute needs a string 'id' (a definition) or 'ref' (a reference)");
  }
  return { group, problems };
}

function shapeAttribute(raw: Record<string, unknown>, report: (m: string) => void): Attribute | undefined {
  unknownKeys(raw, ATTRIBUTE_KEYS, report);
  const id = raw['id'] as string;
  const problem = nameProblem(id);
  if (problem) report(problem);
  const type = attributeType(raw['type'], report);
  const brief = text(raw['brief'], 'brief', true, report);
  const note = text(raw['note'], 'note', false, report);
  const stab = stability(raw['stability'], true, report);
  let level: RequirementLevel | undefined;
  if (raw['requirement_level'] === undefined) report("'requirement_level' is missing");
  else level = requirementLevel(raw['requirement_level'], report);
  if (!type) return undefined;
  const { examples, problem: shapeProblem } = normalizeExamples(type, raw['examples']);
  if (shapeProblem) report(shapeProblem);
  for (const p of exampleProblems(type, examples)) report(p);
  return {
    id,
    type,
    brief,
    note,
    examples,
    requirementLevel: level ?? { level: 'recommended', condition: '' },
    stability: stab,
  };
}

function attributeType(raw: unknown, report: (m: string) => void): AttributeType | undefined {
  if (typeof raw === 'string') {
    if (PRIMITIVE_TYPES.includes(raw as PrimitiveType))
      return { kind: 'primitive', name: raw as PrimitiveType };
    report(
      `unknown type '${raw}' (expected one of ${PRIMITIVE_TYPES.join(', ')} or an enum { members: [...] })`,
    );
    return undefined;
  }
  if (!isRecord(raw) || !Array.isArray(raw['members']) || raw['members'].length === 0) {
    report(`unknown type ${JSON.stringify(raw)} (expected a type name or an enum { members: [...] })`);
    return undefined;
  }
  const members: EnumMember[] = [];
  for (const m of raw['members']) {
    if (!isRecord(m) || typeof m['id'] !== 'string' || typeof m['value'] !== 'string') {
      report(`enum member ${JSON.stringify(m)} needs a string 'id' and a string 'value'`);
      continue;
    }
    const id = m['id'];
    const memberReport = (message: string) => report(`enum member '${id}': ${message}`);
    unknownKeys(m, MEMBER_KEYS, memberReport);
    const problem = memberIdProblem(id);
    if (problem) report(problem);
    if (members.some((o) => o.id === id)) report(`enum member id '${id}' is duplicated`);
    if (members.some((o) => o.value === m['value']))
      report(`enum member value '${m['value']}' is duplicated`);
    members.push({
      id,
      value: m['value'],
      brief: text(m['brief'], 'brief', true, memberReport),
      stability: stability(m['stability'], true, memberReport),
    });
  }
  return { kind: 'enum', members };
}
