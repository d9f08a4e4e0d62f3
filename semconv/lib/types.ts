/**
 * The registry model the generator works on: what the YAML files say once read and
 * checked. Plain data, so tests can build small registries inline.
 */

/** One problem found in the registry, located by file, group and attribute. */
export interface Problem {
  /** File the problem is in, relative to the repository root (e.g. `semconv/registry/io.yaml`). */
  file: string;
  /** Id of the group, '' when the problem is about the file itself. */
  group: string;
  /** Attribute id or ref, '' when the problem is about the group. */
  attribute: string;
  /** What is wrong, in words a registry author can act on. */
  message: string;
}

/** A registry source file: its path and its text, before YAML parsing. */
export interface SourceFile {
  /** Path relative to the repository root, used in every problem and in the generated docs. */
  path: string;
  /** The YAML text. */
  text: string;
}

/** Attribute types the OTel semantic-conventions syntax allows and mlobs supports. */
export const PRIMITIVE_TYPES = [
  'string',
  'int',
  'double',
  'boolean',
  'string[]',
  'int[]',
  'double[]',
  'boolean[]',
] as const;

/** One of {@link PRIMITIVE_TYPES}. */
export type PrimitiveType = (typeof PRIMITIVE_TYPES)[number];

/** One member of an enum attribute type. */
export interface EnumMember {
  /** Member id, used for the generated constant name. */
  id: string;
  /** The value put on the telemetry. */
  value: string;
  /** What the value means. */
  brief: string;
  /** Stability of the member. */
  stability: string;
}

/** An attribute type: a primitive or array type, or an enum of string members. */
export type AttributeType =
  | { kind: 'primitive'; name: PrimitiveType }
  | { kind: 'enum'; members: EnumMember[] };

/** Requirement levels of the OTel attribute-requirement-level spec. */
export type Level = 'required' | 'conditionally_required' | 'recommended' | 'opt_in';

/** A requirement level with its condition (for `conditionally_required`, or a qualified `recommended`). */
export interface RequirementLevel {
  /** The level. */
  level: Level;
  /** When it applies; '' when unconditional. */
  condition: string;
}

/** An attribute defined in a registry group. */
export interface Attribute {
  /** The attribute key, e.g. `ml.summary.null_count`. */
  id: string;
  /** Its type. */
  type: AttributeType;
  /** One-line description. */
  brief: string;
  /** Longer explanation of why, '' when none. */
  note: string;
  /** Example values, each one of the attribute's type. */
  examples: unknown[];
  /** Default requirement level where a group references it without one. */
  requirementLevel: RequirementLevel;
  /** Stability level. */
  stability: string;
}

/** An attribute as a span, event or attribute group uses it. */
export interface AttributeUse {
  /** The referenced registry attribute. */
  attribute: Attribute;
  /** Requirement level in this group (the ref's, else the attribute's default). */
  requirementLevel: RequirementLevel;
}

/** Group types this registry uses. */
export const GROUP_TYPES = ['attribute_group', 'span', 'event'] as const;

/** One of {@link GROUP_TYPES}. */
export type GroupType = (typeof GROUP_TYPES)[number];

/** What a group states about itself, the same before and after its refs are resolved. */
export interface GroupFields {
  /** Group id, e.g. `registry.ml.summary`, `event.ml.features`. */
  id: string;
  /** Group type. */
  type: GroupType;
  /** File it was defined in. */
  file: string;
  /** One-line description. */
  brief: string;
  /** Longer explanation of why, '' when none. */
  note: string;
  /** Stability level, '' when not given (allowed for attribute groups). */
  stability: string;
  /** Heading for the docs, '' when none. */
  displayName: string;
  /** Event name (event groups), '' otherwise. */
  name: string;
  /** Span kind (span groups), '' otherwise. */
  spanKind: string;
  /** Ids of the event groups a span carries. */
  events: string[];
  /** Id of the group whose attributes this one extends, '' when none. */
  extends: string;
  /** Attributes defined here (registry groups only). */
  defines: Attribute[];
}

/** A group after resolution: refs resolved, `extends` flattened in. */
export interface Group extends GroupFields {
  /** The attributes this group references itself, with the levels it sets. */
  refs: AttributeUse[];
  /** Every attribute of the group with its requirement level, extended ones first. */
  uses: AttributeUse[];
}

/** A registry that validated clean. */
export interface Registry {
  /** All groups, in file order then document order. */
  groups: Group[];
  /** All attributes by id. */
  attributes: Map<string, Attribute>;
}
