// bank-status.js - pure: what a linked bank's state means to its owner (a sentence, a badge) and the action it calls for.
import { relativeTime } from './format.js';

/** Plaid error codes and Mynt status codes a sync can end with (sync.last_error), in plain words. */
const SYNC_ERRORS = {
  ITEM_LOGIN_REQUIRED: 'Your bank asked you to sign in again.',
  RATE_LIMIT_EXCEEDED: 'Your bank is limiting how often Mynt can read it.',
  TRANSACTIONS_LIMIT: 'Your bank is limiting how often Mynt can read it.',
  INSTITUTION_DOWN: 'Your bank is not answering right now.',
  INSTITUTION_NOT_RESPONDING: 'Your bank is not answering right now.',
  INSTITUTION_NOT_AVAILABLE: 'Your bank is not answering right now.',
  INTERNAL_SERVER_ERROR: 'Plaid, which connects Mynt to your bank, had a problem.',
  PLANNED_MAINTENANCE: 'Plaid, which connects Mynt to your bank, is down for maintenance.',
  PRODUCT_NOT_READY: 'Your bank has not sent its transactions yet.',
  TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION: 'Your bank changed its transactions while Mynt was reading them.',
  rate_limited: 'Your bank is limiting how often Mynt can read it.',
  upstream_error: 'Plaid, which connects Mynt to your bank, had a problem.',
  service_unavailable: 'A service Mynt needs was busy.',
  timeout: 'Reading your bank took too long.',
};

/** The last sync error in words (a code this list does not know reads as a generic failure, never as the raw code). */
export function syncErrorText(code) {
  if (!code) return null;
  return SYNC_ERRORS[code] ?? 'Something went wrong while reading your bank.';
}

/**
 * What the card of item says and offers, at time now. Returns
 * {kind, tone, badge, message, detail, actions}:
 * - kind: 'revoked' | 'login_required' | 'expiring' | 'syncing' | 'error' | 'synced' (the item's status
 *   first, then its sync), tone: 'ok' | 'info' | 'warn' | 'danger' (never the only signal: badge and
 *   message say it in words);
 * - message: the sentence for the card (null only when the API says nothing about syncs: the badge
 *   says it all); detail: a second sentence or null;
 * - actions: the buttons, most important first, each {type, label} with type 'reconnect' (update-mode
 *   Link), 'select_accounts' (update mode with account selection), 'refresh' (POST /items/{id}/sync) or
 *   'remove'. Remove is always on the card; it is listed here only where it is the action called for.
 * An item from an API without sync information (one that cannot sync on request) reads as connected
 * (badge only), without Refresh.
 */
export function bankStatus(item, now = new Date()) {
  const name = item?.institution_name || 'your bank';
  const sync = item?.sync ?? null;
  const actions = [];
  const selectAccounts = { type: 'select_accounts', label: 'Choose accounts' };
  let out;
  switch (item?.status) {
    case 'revoked':
      return {
        kind: 'revoked', tone: 'danger', badge: 'Access revoked',
        message: 'Access was revoked at your bank \u2014 remove it or connect again',
        detail: 'Mynt can no longer read this bank.',
        actions: [{ type: 'remove', label: 'Remove' }],
      };
    case 'login_required':
      return {
        kind: 'login_required', tone: 'warn', badge: 'Needs sign-in',
        message: `${capitalise(name)} asks you to sign in again. Until you do, Mynt cannot update it.`,
        detail: null,
        actions: [{ type: 'reconnect', label: `Sign in to ${name} again` }],
      };
    case 'expiring':
      out = {
        kind: 'expiring', tone: 'warn', badge: 'Expires soon',
        message: `Access to ${name} expires soon \u2014 reconnect`,
        detail: 'Reconnect before it expires to keep your transactions up to date.',
        actions: [{ type: 'reconnect', label: 'Reconnect' }],
      };
      if (item.new_accounts_available) {
        out.detail = `New accounts found \u2014 choose which to share. ${out.detail}`;
        out.actions.push(selectAccounts);
      }
      return out;
    default:
      break;
  }
  if (sync?.status === 'syncing') {
    out = { kind: 'syncing', tone: 'info', badge: 'Syncing', message: 'Syncing your transactions\u2026', detail: null };
  } else if (sync?.status === 'error') {
    const when = relativeTime(sync.last_synced_at, now);
    out = {
      kind: 'error', tone: 'warn', badge: 'Update failed',
      message: `The last update failed: ${syncErrorText(sync.last_error ?? 'unknown')}`,
      detail: when ? `Last updated ${when}. Try Refresh, or Mynt tries again by itself later.` : 'Try Refresh, or Mynt tries again by itself later.',
    };
    actions.push({ type: 'refresh', label: 'Refresh' });
  } else {
    const when = sync ? relativeTime(sync.last_synced_at, now) : null;
    out = { kind: 'synced', tone: 'ok', badge: 'Connected', message: when ? `Updated ${when}` : null, detail: null };
    if (sync && sync.history_complete === false) out.detail = 'First 30 days in, older history still coming.';
    if (sync) actions.push({ type: 'refresh', label: 'Refresh' });
  }
  if (item?.new_accounts_available) {
    out.detail = out.detail ? `New accounts found \u2014 choose which to share. ${out.detail}` : 'New accounts found \u2014 choose which to share';
    actions.unshift(selectAccounts);
  }
  return { ...out, actions };
}

function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** True while a bank is still bringing its transactions in: its first sync is running, or its older
 * history has not arrived yet (and nothing stops it: no error, no sign-in needed). */
export function stillSyncing(item) {
  if (!item?.sync || item.status === 'login_required' || item.status === 'revoked') return false;
  if (item.sync.status === 'syncing') return true;
  return item.sync.status === 'synced' && item.sync.history_complete === false;
}

/** True when the stored data of some bank changed between two reads of the items (a sync saved new
 * transactions: last_synced_at moved, a sync finished, or history completed), so accounts and
 * transactions are worth reading again. Items added or removed count as changes. */
export function syncProgressed(before, after) {
  const key = (i) => JSON.stringify([i.sync?.status ?? null, i.sync?.last_synced_at ?? null, i.sync?.history_complete ?? null]);
  const old = new Map((before ?? []).map((i) => [i.item_id, key(i)]));
  if (old.size !== (after ?? []).length) return true;
  return (after ?? []).some((i) => old.get(i.item_id) !== key(i));
}

/** The note above the transactions list while banks are syncing (null when none is). */
export function transactionsSyncNote(items) {
  const first = (items ?? []).filter((i) => i.sync?.status === 'syncing' && i.status !== 'revoked' && i.status !== 'login_required');
  const older = (items ?? []).filter((i) => stillSyncing(i) && i.sync.status !== 'syncing');
  const names = (list) => list.map((i) => i.institution_name || 'A bank').join(', ');
  const parts = [];
  if (first.length) {
    parts.push(`Still syncing ${names(first)}: ${first.length > 1 ? 'their' : 'its'} transactions appear here as they arrive.`);
  }
  if (older.length) parts.push(`${names(older)}: the last 30 days are in, older history is still coming.`);
  return parts.length ? parts.join(' ') : null;
}
