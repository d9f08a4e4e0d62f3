import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from '../../../bench/detection/Random.js';
import { realTables } from '../../../bench/detection/RealTable.js';

describe('RealTable', () => {
  it('reads the vega-datasets tables shipped in node_modules', () => {
    const tables = realTables();
    assert.deepEqual(
      tables.map((t) => t.name),
      ['cars', 'penguins', 'seattle-weather', 'movies', 'airports', 'gapminder'],
    );
    const cars = tables[0];
    assert.ok(cars?.description.includes('406 rows'), cars?.description);
    const b = cars?.sample(50, new Random(1));
    assert.equal(b?.n, 50);
    assert.equal(b?.numeric.Year?.length, 50);
    assert.ok([...(b?.numeric.Year ?? [])].every((y) => y >= 1970 && y <= 1982));
    assert.ok((b?.categorical.Origin ?? []).every((o) => ['USA', 'Europe', 'Japan'].includes(o ?? '')));
  });

  it('reads quoted CSV cells (airport names with commas) and keeps long-tailed and ID-like columns', () => {
    const airports = realTables().find((t) => t.name === 'airports');
    assert.ok(airports);
    assert.equal(airports.referenceRows, 2000);
    assert.equal(airports.longTail, 'city');
    const b = airports.sample(2000, new Random(3));
    assert.ok((b.categorical.state ?? []).every((s) => s === null || /^[A-Z]{2}$/.test(s)));
    assert.ok(new Set(b.categorical.city).size > 500);
    assert.ok([...(b.numeric.latitude ?? [])].every((x) => x > 0 && x < 80));
    const movies = realTables().find((t) => t.name === 'movies');
    assert.ok(
      movies
        ?.sample(10, new Random(4))
        .categorical['Release Date']?.some((d) => d !== null && /\d{4}$/.test(d)),
    );
  });

  it('refuses a directory without the tables, naming the file it looked for', () => {
    assert.throws(() => realTables('no/such/dir'), /cannot read .*cars\.json/);
  });

  it('draws rows of the chosen class less often when the sampler refuses them', () => {
    const penguins = realTables()[1];
    assert.ok(penguins);
    const b = penguins.sample(500, new Random(2), (c) => c !== 'Adelie');
    assert.ok(!(b.categorical.Species ?? []).includes('Adelie'));
  });
});
