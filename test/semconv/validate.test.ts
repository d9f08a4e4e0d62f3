import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MODEL_YAML, REGISTRY_YAML, validate, withRegistry } from './fixtures.js';

describe('validateRegistry', () => {
  it('accepts the small valid fixture and resolves refs with their levels', () => {
    const result = validate(withRegistry((y) => y));
    assert.deepEqual(result.problems, []);
    const span = result.registry!.groups.find((g) => g.id === 'span.ml.demo')!;
    assert.deepEqual(
      span.uses.map((u) => [u.attribute.id, u.requirementLevel.level]),
      [
        ['ml.demo.name', 'required'],
        ['ml.demo.mode', 'required'],
      ],
    );
    const event = result.registry!.groups.find((g) => g.id === 'event.ml.demo')!;
    assert.deepEqual(event.uses[0].requirementLevel, {
      level: 'conditionally_required',
      condition: 'When there are sizes.',
    });
  });

  it('rejects a duplicated attribute id, naming the file, group and attribute', () => {
    const dup = `      - id: ml.demo.name
        type: string
        brief: Again.
        examples: ['c']
        requirement_level: required
        stability: development
`;
    const result = validate(withRegistry((y) => y + dup));
    assert.equal(result.registry, undefined);
    assert.match(
      result.text,
      /semconv\/registry\/demo\.yaml: group registry\.ml\.demo: attribute ml\.demo\.name: duplicated attribute id/,
    );
  });

  it('rejects a group id defined in two files', () => {
    const result = validate({ ...withRegistry((y) => y), 'semconv/registry/other.yaml': REGISTRY_YAML });
    assert.match(
      result.text,
      /other\.yaml: group registry\.ml\.demo: duplicated group id \(first defined in .*demo\.yaml\)/,
    );
  });

  it('rejects an unknown type and names the attribute', () => {
    const result = validate(withRegistry((y) => y.replace('type: int[]', 'type: integer')));
    assert.match(result.text, /group registry\.ml\.demo: attribute ml\.demo\.sizes: unknown type 'integer'/);
  });

  it('rejects a ref that resolves to no attribute', () => {
    const files = withRegistry((y) => y);
    files['semconv/model/demo.yaml'] = MODEL_YAML.replace('ref: ml.demo.name', 'ref: ml.demo.nmae');
    const result = validate(files);
    assert.match(
      result.text,
      /model\/demo\.yaml: group span\.ml\.demo: attribute ml\.demo\.nmae: ref 'ml\.demo\.nmae' does not resolve/,
    );
  });

  for (const [bad, expected] of [
    ['ml.Summary.Names', /name 'ml\.Summary\.Names' must be lowercase/],
    ['ml..x', /name 'ml\.\.x' has an empty namespace segment/],
    ['ml.summary.nullCount', /segment 'nullCount' is not snake_case/],
    ['demo.name', /must start with 'ml\.'/],
  ] as const) {
    it(`rejects the badly named attribute ${bad}`, () => {
      const files = {
        'semconv/registry/bad.yaml': `groups:
  - id: registry.ml.summary
    type: attribute_group
    brief: Bad names.
    attributes:
      - id: ${bad}
        type: string
        brief: Badly named.
        examples: ['x']
        requirement_level: recommended
        stability: development
`,
      };
      const result = validate(files);
      assert.equal(result.registry, undefined);
      const line = result.text.split('\n').find((l) => expected.test(l));
      assert.ok(line, `no problem matching ${expected} in:\n${result.text}`);
      assert.ok(line.includes(`group registry.ml.summary: attribute ${bad}:`), line);
    });
  }

  it('rejects examples of the wrong type, one problem per bad example', () => {
    const result = validate(
      withRegistry((y) =>
        y.replace("examples: ['a', 'b']", 'examples: [7, true]').replace('[1, 2]', '[1, "two"]'),
      ),
    );
    assert.match(result.text, /attribute ml\.demo\.name: example 7 does not match type string/);
    assert.match(result.text, /attribute ml\.demo\.name: example true does not match type string/);
    assert.match(result.text, /attribute ml\.demo\.sizes: example \[1,"two"\] does not match type int\[\]/);
  });

  it('rejects a bare scalar example for an array attribute and an enum example that is not a member', () => {
    const result = validate(
      withRegistry((y) =>
        y
          .replace('examples:\n          - [1, 2]', 'examples: 3')
          .replace("examples: ['fast']", "examples: ['medium']"),
      ),
    );
    assert.match(result.text, /attribute ml\.demo\.sizes: example 3 must be a list for type int\[\]/);
    assert.match(result.text, /attribute ml\.demo\.mode: example "medium" does not match type enum/);
  });

  it('rejects duplicated enum members, by id and by value', () => {
    const result = validate(
      withRegistry((y) =>
        y.replace('- id: slow\n              value: slow', '- id: fast\n              value: fast'),
      ),
    );
    assert.match(result.text, /attribute ml\.demo\.mode: enum member id 'fast' is duplicated/);
    assert.match(result.text, /attribute ml\.demo\.mode: enum member value 'fast' is duplicated/);
  });

  it('lists every problem of a registry at once, not only the first', () => {
    const result = validate(
      withRegistry((y) =>
        y.replace('type: int[]', 'type: integer').replace('id: ml.demo.name', 'id: ml.demo.Name'),
      ),
    );
    assert.ok(result.problems.length >= 2, result.text);
    assert.match(result.text, /ml\.demo\.sizes: unknown type/);
    assert.match(result.text, /ml\.demo\.Name: name 'ml\.demo\.Name' must be lowercase/);
  });

  it('rejects an attribute whose name is also the namespace of another', () => {
    const extra = `      - id: ml.demo.name.first
        type: string
        brief: Clashes.
        examples: ['x']
        requirement_level: recommended
        stability: development
`;
    const result = validate(withRegistry((y) => y + extra));
    assert.match(result.text, /attribute ml\.demo\.name: is also the namespace of ml\.demo\.name\.first/);
  });

  it('rejects an attribute defined outside its registry group namespace', () => {
    const result = validate(withRegistry((y) => y.replace('id: ml.demo.name', 'id: ml.other.name')));
    assert.match(result.text, /attribute ml\.other\.name: is outside the group's namespace 'ml\.demo'/);
  });

  it('rejects a misspelt key instead of ignoring it', () => {
    const result = validate(
      withRegistry((y) => y.replace('requirement_level: required', 'requirement_levle: required')),
    );
    assert.match(result.text, /attribute ml\.demo\.name: unknown key 'requirement_levle'/);
    assert.match(result.text, /attribute ml\.demo\.name: 'requirement_level' is missing/);
  });

  it('rejects a span whose events list names no event group, and a bad requirement level', () => {
    const files = withRegistry((y) => y);
    files['semconv/model/demo.yaml'] = MODEL_YAML.replace(
      'events: [event.ml.demo]',
      'events: [event.ml.nope]',
    ).replace('- ref: ml.demo.mode', '- ref: ml.demo.mode\n        requirement_level: mandatory');
    const result = validate(files);
    assert.match(
      result.text,
      /group span\.ml\.demo: events lists 'event\.ml\.nope', which is not an event group/,
    );
    assert.match(
      result.text,
      /group span\.ml\.demo: attribute ml\.demo\.mode: bad requirement_level "mandatory"/,
    );
  });

  it('rejects an extends that does not resolve or that loops', () => {
    const files = {
      ...withRegistry((y) => y),
      'semconv/model/loop.yaml': `groups:
  - id: attributes.ml.a
    type: attribute_group
    brief: A.
    extends: attributes.ml.b
  - id: attributes.ml.b
    type: attribute_group
    brief: B.
    extends: attributes.ml.a
  - id: attributes.ml.c
    type: attribute_group
    brief: C.
    extends: attributes.ml.missing
`,
    };
    const result = validate(files);
    assert.match(
      result.text,
      /group attributes\.ml\.a: extends itself through attributes\.ml\.a -> attributes\.ml\.b/,
    );
    assert.match(
      result.text,
      /group attributes\.ml\.c: extends 'attributes\.ml\.missing', which is not a group/,
    );
  });

  it('reports a file that is not YAML by file name', () => {
    const result = validate({ 'semconv/registry/broken.yaml': 'groups: [\n  - id: x' });
    assert.match(result.text, /^semconv\/registry\/broken\.yaml: not valid YAML/);
  });
});
