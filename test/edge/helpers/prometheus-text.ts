/**
 * A strict reader of the Prometheus text exposition format (0.0.4): every line is a `# HELP`, a `# TYPE`
 * or a sample `name{label="value",…} value`, label values escaped as the format says, every value a
 * float (or +Inf, -Inf, NaN), every sample's metric family typed before it. Anything else is an error,
 * so a test that reads /metrics through it checks the format, not just that some text came back.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const HELP = new RegExp(`^# HELP (${NAME}) .*$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE = new RegExp(`^(${NAME})(\\{(.*)\\})? (\\S+)( -?\\d+)?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/;

export function parsePrometheusText(text: string): Sample[] {
  const typed = new Set<string>();
  const samples: Sample[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const fail = (why: string): never => {
      throw new Error(`line ${i + 1}: ${why}: ${line}`);
    };
    if (line.startsWith('#')) {
      const type = TYPE.exec(line);
      if (type) typed.add(type[1]);
      else if (!HELP.test(line)) fail('neither HELP nor TYPE');
      continue;
    }
    const m = SAMPLE.exec(line) ?? fail('not a sample');
    const family = m[1].replace(/_(bucket|sum|count|total|created)$/, '');
    if (!typed.has(m[1]) && !typed.has(family)) fail('sample of an untyped family');
    const labels: Record<string, string> = {};
    let rest = m[3] ?? '';
    while (rest !== '') {
      const l = LABEL.exec(rest) ?? fail('bad label');
      labels[l[1]] = l[2].replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
      rest = rest.slice(l[0].length);
    }
    const raw = m[4];
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') fail('value is not a number');
    samples.push({ name: m[1], labels, value });
  }
  return samples;
}

/** The value of the one sample named `name` whose labels include `labels` (undefined when none). */
export function sampleValue(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}
