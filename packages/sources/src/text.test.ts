import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanText } from './text.js';

describe('cleanText', () => {
  it('collapses arXiv line wraps, tabs and NBSP and trims', () => {
    expect(
      cleanText(
        '  Besides natural language processing,\ntransformers exhibit\textraordinary\u00a0performance\r\n',
      ),
    ).toBe('Besides natural language processing, transformers exhibit extraordinary performance');
  });

  it('resolves TeX escapes to the bare character', () => {
    expect(cleanText('achieves 73.62\\% top-1 accuracy')).toBe('achieves 73.62% top-1 accuracy');
    expect(cleanText('R\\&D, cafe\\_eval, issue \\#12, costs \\$5, set \\{a, b\\}')).toBe(
      'R&D, cafe_eval, issue #12, costs $5, set {a, b}',
    );
  });

  it('turns accent macros into precomposed letters', () => {
    expect(
      cleanText(
        'Caf\\\'e, G\\\'{e}ron, Sch\\"olkopf, M\\"{u}ller, Espa\\~na, h\\^otel, \\`a la, Fran\\c{c}ais',
      ),
    ).toBe('Café, Géron, Schölkopf, Müller, España, hôtel, à la, Français');
    expect(cleanText("{\\'E}cole, na\\\"{\\i}ve, Dvo\\v{r}\\'ak, Erd\\H{o}s, \\c c")).toBe(
      'École, naïve, Dvořák, Erdős, ç',
    );
    expect(cleanText("Stra\\ss e, \\o{}rsted, \\AA{}ngstr\\\"om, \\L{}\\'od\\'z")).toBe(
      'Straße, ørsted, Ångström, Łódź',
    );
  });

  it('leaves accents without a precomposed letter as typed', () => {
    expect(cleanText("\\'x")).toBe("\\'x");
  });

  it('unwraps font macros, nested ones too', () => {
    expect(
      cleanText('\\textbf{Bold} \\emph{new} \\textit{CaféTalk} \\texttt{cafe\\_eval} \\textbf{\\emph{both}}'),
    ).toBe('Bold new CaféTalk cafe_eval both');
    expect(cleanText('see \\url{https://github.com/sail-sg/Adan}')).toBe(
      'see https://github.com/sail-sg/Adan',
    );
  });

  it('turns ~ between words into a space but not inside URLs', () => {
    expect(cleanText('Whisper~large-v3 and Fig.~3, see https://example.org/~user/x')).toBe(
      'Whisper large-v3 and Fig. 3, see https://example.org/~user/x',
    );
  });

  it('keeps dashes as typed', () => {
    expect(cleanText('pages 10--20 --- or so')).toBe('pages 10--20 --- or so');
  });

  it('leaves math untouched apart from whitespace', () => {
    expect(cleanText('latency below $50\\,\\mathrm{ms}$ and $\\{x_i\\}_{i=1}^n$ with 5\\%')).toBe(
      'latency below $50\\,\\mathrm{ms}$ and $\\{x_i\\}_{i=1}^n$ with 5%',
    );
    expect(cleanText('the loss $$\\sum_i\n  \\ell(x_i)$$ here')).toBe('the loss $$\\sum_i \\ell(x_i)$$ here');
    expect(cleanText('DyT($x$) = tanh($\\alpha x$)')).toBe('DyT($x$) = tanh($\\alpha x$)');
  });

  it('reads math closed right before a digit (arXiv style)', () => {
    expect(
      cleanText('GSM8K (5.9\\%$\\rightarrow$10.9\\%) and CommonsenseQA (36.3\\%$\\rightarrow$47.2\\%)'),
    ).toBe('GSM8K (5.9%$\\rightarrow$10.9%) and CommonsenseQA (36.3%$\\rightarrow$47.2%)');
  });

  it('does not take prices for math', () => {
    expect(cleanText('costs $5 and $10 \\% more')).toBe('costs $5 and $10 % more');
  });

  it('resolves the TeX thousands separator', () => {
    expect(cleanText('trained on 1{,}200 hours')).toBe('trained on 1,200 hours');
  });

  it('keeps CJK and other scripts', () => {
    expect(cleanText(' 田中\u3000太郎 ')).toBe('田中 太郎');
  });

  it('is idempotent on tricky inputs', () => {
    for (const s of [
      '\\$5 and $\\{x\\}$',
      '\\\\% x',
      '\\\\\\% y',
      "{\\'e}~~\\'",
      '$$ $ \\$$',
      'a\\textbf{\\{b}c',
    ]) {
      const once = cleanText(s);
      expect(cleanText(once)).toBe(once);
    }
  });

  it('is idempotent (property)', () => {
    const texish = fc.stringMatching(/^[a-zA-Z0-9 \\{}$~'"`^.=,%&_#\n\t\u00a0cvuHkr-]{0,40}$/);
    fc.assert(
      fc.property(fc.oneof(texish, fc.string(), fc.string({ unit: 'grapheme' })), (s) => {
        const once = cleanText(s);
        expect(cleanText(once)).toBe(once);
        expect(once).toBe(once.trim());
        expect(/\s\s/u.test(once)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
