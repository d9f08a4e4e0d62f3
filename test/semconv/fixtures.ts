/** Small inline registries for the semconv tests: a valid base that each test breaks one way. */
import { parseSources } from '../../semconv/lib/load.js';
import type { SourceFile } from '../../semconv/lib/types.js';
import { formatProblems, type ValidationResult, validateRegistry } from '../../semconv/lib/validate.js';

/** A registry file with one attribute group defining `ml.demo.*` attributes. */
export const REGISTRY_YAML = `groups:
  - id: registry.ml.demo
    type: attribute_group
    brief: Demo attributes.
    attributes:
      - id: ml.demo.name
        type: string
        brief: A name.
        examples: ['a', 'b']
        requirement_level: required
        stability: development
      - id: ml.demo.sizes
        type: int[]
        brief: Sizes.
        examples:
          - [1, 2]
        requirement_level: recommended
        stability: development
      - id: ml.demo.mode
        type:
          members:
            - id: fast
              value: fast
              brief: Fast.
              stability: development
            - id: slow
              value: slow
              brief: Slow.
              stability: development
        brief: A mode.
        examples: ['fast']
        requirement_level: required
        stability: development
`;

/** A model file with an event and a span referencing the demo attributes. */
export const MODEL_YAML = `groups:
  - id: event.ml.demo
    type: event
    name: ml.demo
    brief: A demo event.
    stability: development
    attributes:
      - ref: ml.demo.sizes
        requirement_level:
          conditionally_required: When there are sizes.
  - id: span.ml.demo
    type: span
    span_kind: internal
    brief: A demo span.
    stability: development
    events: [event.ml.demo]
    attributes:
      - ref: ml.demo.name
      - ref: ml.demo.mode
`;

/** Validates inline files given as path → YAML text. */
export function validate(files: Record<string, string>): ValidationResult & { text: string } {
  const sources: SourceFile[] = Object.entries(files).map(([path, text]) => ({ path, text }));
  const parsed = parseSources(sources);
  const result = validateRegistry(parsed.files);
  const problems = [...parsed.problems, ...result.problems];
  return { registry: result.registry, problems, text: formatProblems(problems) };
}

/** The base registry with `edit` applied to the registry file's text. */
export function withRegistry(edit: (yaml: string) => string): Record<string, string> {
  return {
    'semconv/registry/demo.yaml': edit(REGISTRY_YAML),
    'semconv/model/demo.yaml': MODEL_YAML,
  };
}
