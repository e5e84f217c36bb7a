// Calls to Ferry's API with the page token the page was rendered with. Page tokens live minutes: on a 401 the token is
// renewed once from the sign-in cookie (POST /api/auth/page-token) and the call repeated; when that fails too, the
// user was signed out (or their account changed) and must sign in again.

import type { TokenResponse } from "./contracts";
import { problemDetail } from "./problem";

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export class Api {
  constructor(private token: string) {}

  /** The current page token, for requests the Api class does not send itself (form uploads with progress). */
  get currentToken(): string {
    return this.token;
  }

  /** Gets a fresh page token for the sign-in cookie; false when the cookie is no longer valid. */
  async renewToken(): Promise<boolean> {
    try {
      const response = await fetch("/api/auth/page-token", { method: "POST", credentials: "same-origin" });
      if (!response.ok) return false;
      this.token = ((await response.json()) as TokenResponse).access_token;
      return true;
    } catch {
      return false;
    }
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response = await this.send(method, path, body);
    if (response.status === 401 && (await this.renewToken())) {
      response = await this.send(method, path, body);
    }
    const text = await response.text();
    if (!response.ok) {
      const detail = response.status === 401 ? "you are signed out; sign in again" : problemDetail(response.status, response.statusText, text);
      throw new ApiError(response.status, detail);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      return await fetch(path, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, "the Ferry server cannot be reached; check the connection");
    }
  }
}

/** Waits 0.5 s, 1 s, 2 s, 4 s… (with jitter) before attempt n (n ≥ 1). */
export function backoff(attempt: number): Promise<void> {
  const delay = Math.min(30_000, 500 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
  return new Promise((resolve) => setTimeout(resolve, delay));
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  if (!isFinite(seconds) || seconds < 0) return "–";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}
