import { describe, expect, it } from 'vitest';
import { decodeBody, detectCharset, lazyBody } from './charset.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');

describe('decodeBody', () => {
  it('uses the Content-Type charset', () => {
    const body = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80]); // "café €" in windows-1252
    expect(decodeBody(body, 'text/html; charset=windows-1252')).toEqual({
      text: 'café €',
      charset: 'windows-1252',
    });
    expect(decodeBody(body, 'text/html;charset="ISO-8859-1"').charset).toBe('windows-1252');
  });

  it('prefers a BOM over the header and strips it', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('héllo')]);
    expect(decodeBody(body, 'text/html; charset=iso-8859-2')).toEqual({ text: 'héllo', charset: 'utf-8' });
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('ok', 'utf16le')]);
    expect(decodeBody(le, 'text/plain')).toEqual({ text: 'ok', charset: 'utf-16le' });
  });

  it('reads <meta charset> and <meta http-equiv>', () => {
    const a = Buffer.concat([
      latin1('<html><head><meta charset="iso-8859-2"><title>'),
      Buffer.from([0xb1]),
      latin1('</title>'),
    ]);
    expect(decodeBody(a, 'text/html')).toMatchObject({
      charset: 'iso-8859-2',
      text: '<html><head><meta charset="iso-8859-2"><title>ą</title>',
    });
    const b = latin1('<meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><p>\xcf</p>');
    expect(decodeBody(b, 'text/html')).toMatchObject({ charset: 'windows-1251' });
    expect(decodeBody(b, 'text/html').text).toContain('<p>П</p>');
  });

  it('reads the XML prolog', () => {
    const body = Buffer.concat([
      latin1("<?xml version='1.0' encoding='ISO-8859-1'?><feed>"),
      Buffer.from([0xe9]),
      latin1('</feed>'),
    ]);
    expect(decodeBody(body, 'application/atom+xml')).toMatchObject({
      charset: 'windows-1252',
      text: expect.stringContaining('<feed>é</feed>'),
    });
  });

  it('decodes CJK legacy encodings', () => {
    const sjis = Buffer.from([0x93, 0xfa, 0x96, 0x7b]); // 日本
    expect(decodeBody(sjis, 'text/html; charset=Shift_JIS')).toEqual({ text: '日本', charset: 'shift_jis' });
    const gbk = Buffer.from([0xd6, 0xd0, 0xce, 0xc4]); // 中文
    expect(decodeBody(gbk, 'text/html; charset=gb18030').text).toBe('中文');
    const euckr = Buffer.from([0xc7, 0xd1, 0xb1, 0xdb]); // 한글
    expect(decodeBody(euckr, 'text/html; charset=euc-kr').text).toBe('한글');
  });

  it('defaults to UTF-8, and JSON is always UTF-8', () => {
    expect(decodeBody(Buffer.from('ünïcode'), 'text/html')).toEqual({ text: 'ünïcode', charset: 'utf-8' });
    expect(detectCharset(latin1('{"a":"<meta charset=iso-8859-2>"}'), 'application/json')).toBe('utf-8');
    expect(detectCharset(Buffer.from('x'), '')).toBe('utf-8');
  });

  it('skips unknown labels and treats a <meta> UTF-16 claim as UTF-8', () => {
    expect(detectCharset(latin1('<meta charset="utf-16">'), 'text/html; charset=klingon')).toBe('utf-8');
    expect(detectCharset(latin1('<meta charset="bogus"><meta charset="koi8-r">'), 'text/html')).toBe('utf-8');
  });

  it('replaces invalid UTF-8 with U+FFFD and never throws', () => {
    const bad = Buffer.from([0x61, 0xff, 0xfe, 0xc3, 0x28, 0x62]);
    expect(decodeBody(bad, 'text/html; charset=utf-8').text).toBe('a\uFFFD\uFFFD\uFFFD(b');
    expect(() => decodeBody(Buffer.from([0xe2, 0x82]), 'text/plain')).not.toThrow();
  });
});

describe('windows-1252', () => {
  it('maps 0x80..0x9F to their windows-1252 characters (Node 20 TextDecoder decodes them as C1 controls)', () => {
    const body = Buffer.from([0x93, 0x51, 0x94, 0x20, 0x96, 0x20, 0x80, 0x35, 0x20, 0x99, 0x20, 0x9f, 0x81]);
    expect(decodeBody(body, 'text/html; charset=latin1')).toEqual({
      text: '\u201cQ\u201d \u2013 \u20ac5 \u2122 \u0178\u0081',
      charset: 'windows-1252',
    });
  });
});

describe('lazyBody', () => {
  it('keeps UTF-8 bytes as bytes and decodes the text once, when asked', () => {
    const bytes = Buffer.from('<p>café</p>');
    const body = lazyBody(bytes, 'text/html; charset=utf-8');
    expect(body.utf8).toBe(bytes);
    const text = body.text();
    expect(text).toBe('<p>café</p>');
    expect(body.text()).toBe(text);
  });

  it('gives no bytes for another charset, and decodes them as decodeBody does', () => {
    const bytes = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80]);
    const body = lazyBody(bytes, 'text/html; charset=windows-1252');
    expect(body.utf8).toBeUndefined();
    expect(body.text()).toBe('café €');
  });
});
