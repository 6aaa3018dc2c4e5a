export const DEV_ACCOUNT: string;
export const DEV_KEY: string;
export interface AzuritePorts {
  blob: number;
  queue: number;
  table: number;
}
export function freePorts(): Promise<AzuritePorts>;
export function portFree(port: number): Promise<boolean>;
export interface Azurite {
  child: import("node:child_process").ChildProcess;
  pid: number;
  ports: AzuritePorts;
  /** The path-style blob endpoint, e.g. http://127.0.0.1:10000/devstoreaccount1 */
  blob: string;
  /** The queue endpoint (the next port). */
  queue: string;
  stop(): Promise<void>;
}
export function startAzurite(opts?: {
  ports?: AzuritePorts;
  location?: string;
  quiet?: boolean;
}): Promise<Azurite>;
export interface AzuriteClient {
  createContainer(container: string): Promise<unknown>;
  putBlob(container: string, name: string, body: string | Uint8Array): Promise<string>;
  deleteBlob(container: string, name: string): Promise<unknown>;
  createQueue(queue: string): Promise<unknown>;
  putMessage(queue: string, text: string): Promise<unknown>;
  peek(queue: string): Promise<string[]>;
  count(queue: string): Promise<number>;
  accountSas(opts?: {
    services?: string;
    resourceTypes?: string;
    permissions?: string;
    version?: string;
  }): string;
}
export function azuriteClient(opts: {
  blob: string;
  queue: string;
  account?: string;
  key?: string;
}): AzuriteClient;
