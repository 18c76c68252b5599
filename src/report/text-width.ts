/**
 * How many terminal columns text takes: East Asian wide and fullwidth characters take two,
 * combining marks and zero-width characters none (a simplified wcwidth; the text has gone
 * through escapeControl first, so there are no control characters left).
 */

function charWidth(cp: number): number {
  if (cp < 0x300) return 1;
  // combining marks, zero-width space/joiners, variation selectors
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0x2060 || cp === 0xfeff) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

export function textWidth(s: string): number {
  let w = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x300) {
      w++;
      continue;
    }
    const cp = s.codePointAt(i)!;
    if (cp > 0xffff) i++;
    w += charWidth(cp);
  }
  return w;
}

/** Cuts text to at most `width` columns, ending in `…` when anything was cut. */
export function fitText(s: string, width: number): string {
  if (textWidth(s) <= width) return s;
  if (width <= 0) return '';
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return out + '…';
}

/** Pads text with spaces to `width` columns. */
export function padText(s: string, width: number): string {
  const w = textWidth(s);
  return w >= width ? s : s + ' '.repeat(width - w);
}

/** Breaks prose into lines of at most `width` columns at spaces (a word longer than a line is cut into pieces). */
export function wrapText(s: string, width: number): string[] {
  if (width <= 0 || textWidth(s) <= width) return [s];
  const lines: string[] = [];
  let line = '';
  for (const word of s.split(' ')) {
    let rest = word;
    while (textWidth(rest) > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      const piece = Array.from(rest);
      let cut = '';
      while (piece.length && textWidth(cut + piece[0]) <= width) cut += piece.shift();
      lines.push(cut);
      rest = piece.join('');
    }
    const candidate = line ? `${line} ${rest}` : rest;
    if (textWidth(candidate) <= width) line = candidate;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line) lines.push(line);
  return lines;
}
