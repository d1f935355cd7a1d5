import type { Migration, MigrationProvider } from 'kysely';
import * as foundation from './202611290900_foundation';
import * as instruments from './202611291000_instruments';
import * as bookings from './202611291100_bookings';
import * as vouchers from './202611291400_vouchers';
import * as postsAdmin from './202611291600_posts_admin';
import * as bookingIndexes from './202611291700_booking_indexes';
import * as catalogueIndex from './202611291800_catalogue_index';
import * as catalogueFeed from './202612051200_catalogue_feed';
import * as mailOutboxClaims from './202612111000_mail_outbox_claims';
import * as terminals from './202612211000_terminals';
import * as identity from './202612211100_identity';
import * as sharingStats from './202612221000_sharing_stats';
import * as statsSlices from './202612231000_stats_slices';
import * as statsInstrumentCounts from './202612241000_stats_instrument_counts';
import * as terminalStateReads from './202612251000_terminal_state_reads';

/** Migrations are listed here (not discovered on disk) so that tsx, Vitest and a bundle load them the same way. */
const all: Record<string, Migration> = {
  '202611290900_foundation': foundation,
  '202611291000_instruments': instruments,
  '202611291100_bookings': bookings,
  '202611291400_vouchers': vouchers,
  '202611291600_posts_admin': postsAdmin,
  '202611291700_booking_indexes': bookingIndexes,
  '202611291800_catalogue_index': catalogueIndex,
  '202612051200_catalogue_feed': catalogueFeed,
  '202612111000_mail_outbox_claims': mailOutboxClaims,
  '202612211000_terminals': terminals,
  '202612211100_identity': identity,
  '202612221000_sharing_stats': sharingStats,
  '202612231000_stats_slices': statsSlices,
  '202612241000_stats_instrument_counts': statsInstrumentCounts,
  '202612251000_terminal_state_reads': terminalStateReads,
};

export const migrationProvider: MigrationProvider = { getMigrations: async () => all };
