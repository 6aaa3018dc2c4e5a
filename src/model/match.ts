/** src/model/: pure shapes every layer shares. May import src/lib/ only. */
/** One (rule, event) match of a commit, as detection (src/detect/) finds it and the store writes it. */
export interface Match {
  ruleId: string;
  title: string;
  level: string;
  eventId: string;
  eventTime: number;
  dedupKey: string;
  dedupMinutes: number;
  destinations: string[] | null;
  /** Correlations: the counted value (value_count) and the threshold to cross. */
  correlation?: { value: string | null; spanMs: number; min: number; distinct: boolean };
  /** A rule referenced by a correlation that does not alert on its own. */
  silent: boolean;
}
