/**
 * Checks the registry as a whole and resolves it. Returns every problem at once, so one run
 * of the generator shows an author all there is to fix; a registry is returned only when
 * there are none.
 */
import type { ParsedFile } from './load.js';
import { attributeConstant, enumValueConstant, eventConstant } from './names.js';
import { type DraftGroup, type DraftRef, shapeGroup } from './shape.js';
import type { Attribute, AttributeUse, Group, Problem, Registry } from './types.js';

/** The outcome of validation: the resolved registry when clean, and every problem found. */
export interface ValidationResult {
  /** The resolved registry, undefined when there is any problem. */
  registry: Registry | undefined;
  /** Every problem, in file order. */
  problems: Problem[];
}

/** Validates parsed registry files and resolves refs and `extends`. */
export function validateRegistry(files: ParsedFile[]): ValidationResult {
  const problems: Problem[] = [];
  const drafts: DraftGroup[] = [];
  for (const file of files) {
    file.groups.forEach((raw, index) => {
      const shaped = shapeGroup(file.path, raw, index);
      problems.push(...shaped.problems);
      if (shaped.group) drafts.push(shaped.group);
    });
  }
  const groups = new Map<string, DraftGroup>();
  const attributes = new Map<string, Attribute>();
  const constants = new Map<string, string>();
  const eventNames = new Map<string, string>();
  for (const group of drafts) {
    const report = (attribute: string, message: string) =>
      problems.push({ file: group.file, group: group.id, attribute, message });
    const first = groups.get(group.id);
    if (first) report('', `duplicated group id (first defined in ${first.file})`);
    else groups.set(group.id, group);
    if (group.name) {
      const other = eventNames.get(group.name);
      if (other) report('', `duplicated event name '${group.name}' (also used by group ${other})`);
      else eventNames.set(group.name, group.id);
      claim(constants, eventConstant(group.name), `event ${group.name}`, (m) => report('', m));
    }
    for (const attribute of group.defines) {
      if (attributes.has(attribute.id)) {
        report(attribute.id, 'duplicated attribute id');
        continue;
      }
      attributes.set(attribute.id, attribute);
      claim(constants, attributeConstant(attribute.id), attribute.id, (m) => report(attribute.id, m));
      if (attribute.type.kind !== 'enum') continue;
      for (const member of attribute.type.members) {
        const constant = enumValueConstant(attribute.id, member.id);
        claim(constants, constant, `${attribute.id} member ${member.id}`, (m) => report(attribute.id, m));
      }
    }
  }
  for (const group of drafts) {
    for (const attribute of group.defines) {
      for (const other of attributes.keys()) {
        if (other.startsWith(`${attribute.id}.`)) {
          problems.push({
            file: group.file,
            group: group.id,
            attribute: attribute.id,
            message: `is also the namespace of ${other}; an attribute name must not be a namespace`,
          });
        }
      }
    }
  }
  for (const group of drafts) problems.push(...crossCheck(group, groups, attributes));
  if (problems.length > 0) return { registry: undefined, problems };
  const resolved = drafts.map((d) => resolve(d, groups, attributes));
  return { registry: { groups: resolved, attributes }, problems };
}

/** Formats problems one per line as `file: group G: attribute A: message`, for the generator's exit. */
export function formatProblems(problems: Problem[]): string {
  return problems
    .map((p) => {
      const where = [p.file, p.group && `group ${p.group}`, p.attribute && `attribute ${p.attribute}`];
      return `${where.filter(Boolean).join(': ')}: ${p.message}`;
    })
    .join('\n');
}

function claim(constants: Map<string, string>, constant: string, owner: string, report: (m: string) => void) {
  const other = constants.get(constant);
  if (other && other !== owner) report(`generated constant ${constant} collides with the one for ${other}`);
  else constants.set(constant, owner);
}

function crossCheck(group: DraftGroup, groups: Map<string, DraftGroup>, attributes: Map<string, Attribute>) {
  const problems: Problem[] = [];
  const report = (attribute: string, message: string) =>
    problems.push({ file: group.file, group: group.id, attribute, message });
  const seen = new Set<string>();
  for (const { ref } of group.refs) {
    if (!attributes.has(ref)) report(ref, `ref '${ref}' does not resolve to any registry attribute`);
    if (seen.has(ref)) report(ref, 'is referenced twice in the group');
    seen.add(ref);
  }
  if (group.extends) {
    const chain = [group.id];
    let current: DraftGroup | undefined = group;
    while (current?.extends) {
      const next = groups.get(current.extends);
      if (!next) {
        report('', `extends '${current.extends}', which is not a group`);
        break;
      }
      if (chain.includes(next.id)) {
        report('', `extends itself through ${[...chain, next.id].join(' -> ')}`);
        break;
      }
      chain.push(next.id);
      current = next;
    }
  }
  for (const event of group.events) {
    if (groups.get(event)?.type !== 'event')
      report('', `events lists '${event}', which is not an event group`);
  }
  return problems;
}

function resolve(
  group: DraftGroup,
  groups: Map<string, DraftGroup>,
  attributes: Map<string, Attribute>,
): Group {
  const uses: AttributeUse[] = [];
  const chain: DraftGroup[] = [];
  for (let g: DraftGroup | undefined = group; g; g = g.extends ? groups.get(g.extends) : undefined)
    chain.unshift(g);
  for (const g of chain) {
    for (const attribute of g.defines) uses.push({ attribute, requirementLevel: attribute.requirementLevel });
    for (const ref of g.refs) {
      const use = useOf(ref, attributes);
      const at = uses.findIndex((u) => u.attribute.id === ref.ref);
      // A group may tighten the level of an attribute it inherits through extends.
      if (at >= 0) uses[at] = use;
      else uses.push(use);
    }
  }
  const refs = group.refs.map((ref) => useOf(ref, attributes));
  return { ...group, refs, uses };
}

/** A ref that crossCheck found to exist, with the group's level or else the attribute's default. */
function useOf({ ref, requirementLevel }: DraftRef, attributes: Map<string, Attribute>): AttributeUse {
  const attribute = attributes.get(ref)!;
  return { attribute, requirementLevel: requirementLevel ?? attribute.requirementLevel };
}
