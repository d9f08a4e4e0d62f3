/**
 * OTel attribute naming rules as mlobs applies them: lowercase, dot-separated namespaces,
 * snake_case words, and every mlobs name under `ml.`.
 */

const SNAKE_CASE_WORD = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** Why `name` breaks the naming rules, or '' when it follows them. */
export function nameProblem(name: string): string {
  const reasons: string[] = [];
  if (name !== name.toLowerCase()) reasons.push('must be lowercase');
  const segments = name.split('.');
  if (segments.some((s) => s === ''))
    reasons.push("has an empty namespace segment (leading, trailing or '..')");
  for (const segment of segments) {
    if (segment !== '' && !SNAKE_CASE_WORD.test(segment)) {
      reasons.push(`segment '${segment}' is not snake_case (lowercase words joined by '_')`);
    }
  }
  if (segments[0] !== 'ml' || segments.length < 3) {
    reasons.push("must start with 'ml.' followed by a namespace and a name (ml.<namespace>.<name>)");
  }
  return reasons.length === 0 ? '' : `name '${name}' ${reasons.join('; ')}`;
}

/** Why `name` is not a valid event name, or '' when it is (events are `ml.<name>`). */
export function eventNameProblem(name: string): string {
  const segments = name.split('.');
  const ok = segments[0] === 'ml' && segments.length >= 2 && segments.every((s) => SNAKE_CASE_WORD.test(s));
  return ok ? '' : `event name '${name}' must be 'ml.' followed by lowercase snake_case segments`;
}

/** Why `id` is not a valid group id, or '' when it is (lowercase snake_case segments joined by '.'). */
export function groupIdProblem(id: string): string {
  const segments = id.split('.');
  return segments.every((s) => SNAKE_CASE_WORD.test(s))
    ? ''
    : `group id '${id}' must be lowercase snake_case segments joined by '.'`;
}

/** Why `id` is not a valid enum member id, or '' when it is. */
export function memberIdProblem(id: string): string {
  return SNAKE_CASE_WORD.test(id) ? '' : `enum member id '${id}' must be lowercase snake_case`;
}

/** The generated constant name for an attribute key: `ml.summary.null_count` → `ATTR_ML_SUMMARY_NULL_COUNT`. */
export function attributeConstant(id: string): string {
  return `ATTR_${upperSnake(id)}`;
}

/** The generated constant name for an enum value: `ML_COMPONENT_KIND_VALUE_INFERENCE`. */
export function enumValueConstant(attributeId: string, memberId: string): string {
  return `${upperSnake(attributeId)}_VALUE_${upperSnake(memberId)}`;
}

/** The generated constant name for an event name: `ml.features` → `EVENT_ML_FEATURES`. */
export function eventConstant(name: string): string {
  return `EVENT_${upperSnake(name)}`;
}

function upperSnake(name: string): string {
  return name.replaceAll('.', '_').toUpperCase();
}
