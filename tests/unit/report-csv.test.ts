import { describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { clustersCsv, featuresCsv } from '../../src/lib/core/report/csv';
import { HOSTILE_SCRIPT, fixedReport } from './report-test-helpers';

const parse = (csv: string): string[][] =>
  Papa.parse<string[]>(csv.replace(/\r\n$/, ''), { newline: '\r\n' }).data;

describe('clustersCsv', () => {
  const csv = clustersCsv(fixedReport());

  it('writes a header and one CRLF-terminated row per cluster, most one-sided first', () => {
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parse(csv);
    expect(rows[0]).toEqual([
      'cluster',
      'size',
      'count_a',
      'count_b',
      'share_a',
      'share_b',
      'difference',
      'ci_low',
      'ci_high',
      'p_value',
      'q_value',
      'terms',
      'noise',
      'terms_more_in_a',
      'terms_more_in_b',
    ]);
    expect(rows).toHaveLength(3);
    expect(rows[1]?.[0]).toBe('0');
    expect(Number(rows[1]?.[6])).toBeCloseTo(-100 / 805, 12);
    expect(rows[1]?.slice(12)).toEqual(['false', 'flour', '']);
  });

  it('quotes fields with quotes and commas (RFC 4180) and round-trips them', () => {
    expect(csv).toContain(`"code; <script>alert(""pwned"")</script>"`);
    const rows = parse(csv);
    expect(rows[2]?.[11]).toBe(`code; ${HOSTILE_SCRIPT}`);
    expect(rows[1]?.[11]).toBe('recipe; cups; a|b');
  });
});

describe('formula injection in the report tables', () => {
  it('prefixes text cells a spreadsheet would run, and leaves computed negative numbers alone', () => {
    const report = fixedReport();
    const hostile = {
      ...report,
      clusters: report.clusters.map((c) => ({
        ...c,
        terms: ['=HYPERLINK("http://evil.example")', 'cups'],
      })),
    };
    const rows = parse(clustersCsv(hostile));
    expect(rows[1]?.[11]).toBe(`'=HYPERLINK("http://evil.example"); cups`);
    expect(rows[1]?.[6]).toMatch(/^-0\.12/);
    expect(Number(rows[1]?.[6])).toBeCloseTo(-100 / 805, 12);
    expect(rows[1]?.slice(12)).toEqual(['false', 'flour', '']);
  });
});

describe('featuresCsv', () => {
  it('writes every feature, nulls as empty fields', () => {
    const rows = parse(featuresCsv(fixedReport()));
    expect(rows[0]).toEqual([
      'feature',
      'mean_a',
      'mean_b',
      'effect',
      'p_value',
      'q_value',
      'measure',
      'share_a',
      'share_b',
      'per_100_words_a',
      'per_100_words_b',
      'median_a',
      'median_b',
      'n_pairs',
      'n_zeros',
      'rate_opposes_count',
    ]);
    expect(rows[1]).toEqual([
      'length_tokens',
      '120.5',
      '180.25',
      '0.42',
      '0.0001',
      '0.0002',
      'length',
      '1',
      '1',
      '100',
      '100',
      '110',
      '170.5',
      '40',
      '2',
      'false',
    ]);
    // Saved before the measures existed: those fields are empty.
    expect(rows[2]).toEqual([
      'emoji',
      '0',
      '0',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '40',
      '40',
      '',
    ]);
    expect(rows[3]?.slice(6)).toEqual([
      'rate',
      '0.15',
      '0.2',
      '0.3',
      '0.2',
      '0',
      '0',
      '40',
      '30',
      'true',
    ]);
    expect(rows).toHaveLength(4);
  });
});
