/**
 * The one shape every channel's rules take, so email, SMS, voice and the push channels read alike.
 */
import { badRequest } from "../../api/errors.js";

/** What every channel request has in common. */
export interface ChannelSettings {
  Enabled?: boolean;
}

/** The channel-specific fields of a channel response, beside the common ones. */
export type ChannelDetails = Record<string, string | number | boolean | undefined>;

export interface ChannelKind<Settings extends ChannelSettings> {
  /** The request members the channel keeps, secrets included; anything else a request carries is dropped. */
  readonly members: readonly string[];
  /** Pinpoint shows HasCredential for the push channels, and leaves it out for email, SMS and voice. */
  readonly hasCredential: boolean;
  /**
   * Checks an update as Pinpoint would, once its fields are merged over what was stored, and answers
   * the settings to store. Throws a 400 naming the first problem. Pure: no I/O.
   */
  settle(merged: Settings, request: Settings): Settings;
  /** The channel-specific response fields, built from the settings; never a secret. */
  describe(settings: Settings): ChannelDetails;
}

/**
 * The request members the channel keeps, from whatever a request or the store holds.
 * @example pickMembers(["Enabled"], { Enabled: false, Extra: 1 }) // { Enabled: false }
 */
export function pickMembers<Settings extends ChannelSettings>(members: readonly string[], source: object): Settings {
  const picked: Record<string, unknown> = {};
  for (const name of members) {
    const value = (source as Record<string, unknown>)[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked as Settings;
}

/**
 * An update over the stored settings: members the request gives replace the stored ones, the rest
 * (credentials especially) are kept, as Pinpoint does. A new channel is enabled unless told otherwise.
 * Both sides come through `pickMembers`, so neither holds an undefined member.
 * @example mergeOver({ SenderId: "Shop" }, { Enabled: false }) // { Enabled: false, SenderId: "Shop" }
 */
export function mergeOver<Settings extends ChannelSettings>(request: Settings, stored: Settings | undefined): Settings {
  return { Enabled: true, ...stored, ...request };
}

/** Throws Pinpoint's 400 unless the field holds some text. Never echoes the value: it may be a secret. */
export function requireText(value: string | undefined, name: string): string {
  if (value === undefined || value.trim() === "") throw badRequest(`${name} is required`);
  return value;
}
