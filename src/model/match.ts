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
  /**
   * A correlation's hit (src/detect/correlate.ts): stored, its windows decided after the
   * commit. `value`: the value_* field's value, or the temporal references matched (JSON).
   */
  correlation?: { value: string | null };
  /** A rule referenced by a correlation that does not alert on its own. */
  silent: boolean;
}
