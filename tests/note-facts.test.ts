import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkNote, fillNote, NOTE_FACTS, typedNumbers, unitNoteFacts, type NoteFacts } from '../src/lib/note-facts.ts';
import type { LayerRecord } from '../pipeline/records/schemas.ts';

const layer = { id: 'conv_dw_7', kernel: [3, 3], receptiveField: { size: [75, 75], global: false } } as unknown as LayerRecord;
const facts: NoteFacts = unitNoteFacts({
  layer,
  strongestPhoto: { id: 'skimage-chelsea', label: 'tabby <cat>' },
  stat: { max: 6, preMax: 7.25, mean: 0.4321, active: 0.97 },
  datasetImages: 1000,
});

describe('human notes quote measurements only as {{facts}}', () => {
  it('finds typed numbers but not names that contain digits', () => {
    expect(typedNumbers('It peaks at 6 on 97 % of images, about −0.7 and 2.3.')).toHaveLength(4);
    expect(typedNumbers('Like conv_pw_13 and ReLU6, in Fig2; see `x = 3` and {{dataset-max}}.')).toEqual([]);
    expect(typedNumbers('A 3×3 pattern')).toHaveLength(2);
    expect(typedNumbers('first line\nsecond has 12 things')[0]).toMatch(/^line 2: .*12 things/);
  });

  it('a note with a typed number fails, naming the note and the facts it could use', () => {
    expect(() => checkNote('content/notes/m/l/0.md', 'It peaks at 6.', facts)).toThrow(/content\/notes\/m\/l\/0\.md types a number.*\{\{dataset-max\}\}/);
  });

  it('an unknown fact, or one this unit has no record for, fails', () => {
    expect(() => checkNote('n.md', 'See {{nonsense}}.', facts)).toThrow(/unknown fact \{\{nonsense\}\}/);
    expect(() => checkNote('n.md', 'Mostly {{strongest-class}}.', facts)).toThrow(/strongest-class.*not in this build/);
  });

  it('fills every fact from the records, escaped', () => {
    checkNote('n.md', 'Most on {{strongest-photo}}, max {{ dataset-max }}, active on {{active}}; {{kernel}}, {{receptive-field}}.', facts);
    const html = fillNote('<p>Most on {{strongest-photo}}, max {{ dataset-max }}, active on {{active}}; {{kernel}}, {{receptive-field}}.</p>', facts);
    expect(html).toContain('tabby &#60;cat&#62;');
    expect(html).toContain('>6 (7.25)<');
    expect(html).toContain('>97%<');
    expect(html).toContain('>3×3<');
    expect(html).toContain('>75 px<');
    expect(html).not.toMatch(/\{\{/);
  });

  it('every shipped note passes the check with the facts a unit page provides', async () => {
    const root = path.resolve('content/notes');
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.md'));
    expect(files.length).toBeGreaterThan(0);
    const all = Object.fromEntries(Object.keys(NOTE_FACTS).map((k) => [k, 'x'])) as NoteFacts;
    for (const f of files) {
      const body = (await readFile(path.join(root, f), 'utf8')).replace(/^---\n[\s\S]*?\n---\n/, '');
      expect(() => checkNote(f, body, all)).not.toThrow();
    }
  });
});
