/**
 * The filter language's parser: what it accepts and how it normalizes, and that every refusal names the
 * place in the filter and what was wrong (the edge turns these into 400s with that field).
 */
import { describe, expect, it } from 'vitest';
import { FilterError, parseFilter } from '../../../shared/docvalues/filter.ts';
import { FilterableSpecError, parseFilterableSpec } from '../../../shared/docvalues/schema.ts';

const schema = parseFilterableSpec('lang:keyword,year:number,open:boolean,published:date');

describe('parseFilterableSpec', () => {
  it('reads field:type pairs', () => {
    expect(schema).toEqual({ lang: 'keyword', year: 'number', open: 'boolean', published: 'date' });
  });
  it.each([
    ['lang', /<field>:<type>/],
    ['lang:text', /type must be one of keyword, number, boolean, date/],
    ['and:keyword', /not and\/or\/not/],
    ['lang:keyword,lang:number', /declared twice/],
    ['9lang:keyword', /field name/],
  ])('%s is refused', (spec, message) => {
    expect(() => parseFilterableSpec(spec)).toThrow(FilterableSpecError);
    expect(() => parseFilterableSpec(spec)).toThrow(message);
  });
});

describe('parseFilter', () => {
  it('normalizes equality, lists, ranges, dates and boolean structure', () => {
    expect(parseFilter({ lang: 'en' }, schema)).toEqual({
      op: 'in',
      field: 'lang',
      type: 'keyword',
      values: ['en'],
    });
    expect(parseFilter({ lang: ['en', 'de', 'en'] }, schema)).toMatchObject({ values: ['en', 'de'] });
    expect(parseFilter({ year: { gte: 2020, lt: 2024 } }, schema)).toEqual({
      op: 'range',
      field: 'year',
      type: 'number',
      gte: 2020,
      lt: 2024,
    });
    expect(parseFilter({ published: { gte: '2024-01-01' } }, schema)).toMatchObject({
      gte: Date.UTC(2024, 0, 1),
    });
    expect(parseFilter({ lang: 'en', open: true }, schema)).toMatchObject({ op: 'and' });
    expect(parseFilter({ or: [{ lang: 'en' }, { not: { year: 2020 } }] }, schema)).toMatchObject({
      op: 'or',
      of: [{ op: 'in' }, { op: 'not', of: { op: 'in', values: [2020] } }],
    });
  });

  it.each([
    [[], 'filter', /must be an object/],
    [{}, 'filter', /must not be empty/],
    [{ author: 'x' }, 'filter.author', /unknown field "author" \(filterable: lang, year, open, published\)/],
    [{ year: 'recent' }, 'filter.year', /must be a finite number \(the field is a number\), got "recent"/],
    [{ lang: 3 }, 'filter.lang', /must be a string/],
    [{ lang: ['en', 3] }, 'filter.lang[1]', /must be a string/],
    [{ lang: { gte: 'a' } }, 'filter.lang.gte', /range operators apply to number and date fields/],
    [{ year: { near: 3 } }, 'filter.year.near', /unknown operator/],
    [{ published: { gt: 'yesterday' } }, 'filter.published.gt', /ISO 8601/],
    [{ open: 'yes' }, 'filter.open', /true or false/],
    [{ and: [] }, 'filter.and', /non-empty array/],
    [{ and: [{ lang: 'en' }, { year: null }] }, 'filter.and[1].year', /got null/],
    [{ not: [{ lang: 'en' }] }, 'filter.not', /must be an object/],
    [{ lang: { in: 'en' } }, 'filter.lang.in', /must be an array/],
    [{ lang: { exists: 1 } }, 'filter.lang.exists', /true or false/],
    [{ year: Number.POSITIVE_INFINITY }, 'filter.year', /Infinity/],
  ])('%j → error at %s', (filter, field, message) => {
    try {
      parseFilter(filter, schema);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FilterError);
      expect((error as FilterError).field).toBe(field);
      expect((error as FilterError).message).toMatch(message);
    }
  });

  it('bounds depth and size', () => {
    let deep: unknown = { lang: 'en' };
    for (let i = 0; i < 12; i++) deep = { not: deep };
    expect(() => parseFilter(deep, schema)).toThrow(/deeper than 8/);
    const wide = { or: Array.from({ length: 100 }, () => ({ lang: 'en' })) };
    expect(() => parseFilter(wide, schema)).toThrow(/more than 64 clauses/);
    expect(() => parseFilter({ lang: Array.from({ length: 2000 }, (_, i) => `v${i}`) }, schema)).toThrow(
      /more than 1024/,
    );
  });

  it('says when the index has no filterable fields', () => {
    expect(() => parseFilter({ lang: 'en' }, {})).toThrow(/declares no filterable fields/);
  });
});
