export interface ServedRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  body: string;
}
export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
}
export interface LocalServer {
  url: string;
  requests: ServedRequest[];
  stop(): Promise<void>;
}
export function startServer(
  handler: (req: ServedRequest) => Answer | Promise<Answer>,
): Promise<LocalServer>;
