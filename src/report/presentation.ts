/**
 * How tables look on the way out: colour and width. Colour follows ripgrep and git:
 * `--color never|always` win; with `auto` (the default), FORCE_COLOR (anything but `0` or
 * `false`) turns colour on even in a pipe, NO_COLOR (any non-empty value, no-color.org)
 * turns it off even on a terminal, otherwise colour is on only on a terminal whose TERM is
 * not `dumb`. Width: a terminal's width; in a pipe or file, COLUMNS when set, else no limit.
 */
export const COLOR_CHOICES = ['auto', 'always', 'never'] as const;
export type ColorChoice = (typeof COLOR_CHOICES)[number];

export interface Presentation {
  colour: boolean;
  /** columns a line may take; null: no limit */
  width: number | null;
  /** --wide: nothing dropped, cut or sampled */
  wide: boolean;
}

export function decideColour(choice: ColorChoice, isTTY: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (choice === 'always') return true;
  if (choice === 'never') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '0' && force.toLowerCase() !== 'false') return true;
  if (force !== undefined) return false;
  if (env.NO_COLOR) return false;
  return isTTY && env.TERM !== 'dumb';
}

export function decideWidth(stream: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv = process.env): number | null {
  if (stream.isTTY && stream.columns && stream.columns > 0) return stream.columns;
  const cols = Number(env.COLUMNS);
  return Number.isInteger(cols) && cols > 0 ? cols : null;
}

export function presentationFor(
  stream: { isTTY?: boolean; columns?: number },
  opts: { color?: string; wide?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): Presentation {
  const choice = (COLOR_CHOICES as readonly string[]).includes(opts.color ?? 'auto') ? ((opts.color as ColorChoice) ?? 'auto') : 'auto';
  return { colour: decideColour(choice, Boolean(stream.isTTY), env), width: decideWidth(stream, env), wide: Boolean(opts.wide) };
}
