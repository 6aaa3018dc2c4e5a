export function parseCron(expr: string): (date: Date) => boolean;
export function cronsOf(toml: string): string[];
