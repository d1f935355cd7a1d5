import type { IdentityTables } from './types-identity';
import type { TerminalTables } from './types-terminals';
import type { StatsTables } from './types-stats';
/** Table types as the code sees them (camelCase; CamelCasePlugin maps to snake_case columns). Times are ISO strings. */
import type { ReviewState } from '../../domain/review';

export interface CitiesTable {
  code: string;
  name: string;
  isInProvince: boolean;
  isEnabled: boolean;
  sort: number;
}
export interface DepartmentsTable {
  id: string;
  code: string;
  name: string;
  level: 'province' | 'city';
  cityCode: string | null;
}

export interface UsersTable {
  id: string;
  username: string | null;
  mobile: string | null;
  email: string | null;
  realName: string;
  passwordHash: string;
  kind: 'person' | 'department' | 'sysadmin';
  departmentId: string | null;
  isDisabled: boolean;
  mustChangePassword: boolean;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface OrganizationsTable {
  id: string;
  name: string;
  uscc: string;
  type: string;
  cityCode: string;
  affiliation: 'city' | 'province';
  district: string | null;
  address: string | null;
  postalCode: string | null;
  legalPerson: string | null;
  phone: string | null;
  website: string | null;
  intro: string | null;
  foundedOn: string | null;
  staffCount: number | null;
  revenueFen: number | null;
  isSmallMicro: boolean | null;
  isVoucherApplicant: boolean | null;
  commitmentAcceptedAt: string | null;
  bankName: string | null;
  bankAccount: string | null;
  bankAccountName: string | null;
  liaisonName: string | null;
  liaisonPhone: string | null;
  liaisonEmail: string | null;
  state: 'draft' | 'pending' | 'approved' | 'rejected';
  rejectReason: string | null;
  departmentId: string;
  legalUserId: string;
  pendingChangeJson: Record<string, unknown> | null | string;
  infoUpdatedAt: string | null;
  submittedAt: string | null;
  approvedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface MembershipsTable {
  id: string;
  userId: string;
  orgId: string;
  role: 'member' | 'admin' | 'legal';
  createdAt: string;
}

export interface BindingRequestsTable {
  id: string;
  userId: string;
  orgId: string;
  kind: 'bind' | 'unbind';
  state: 'pending' | 'approved' | 'rejected' | 'cancelled';
  note: string | null;
  reason: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  createdAt: string;
}

export interface ReviewsTable {
  id: string;
  subjectKind: string;
  subjectId: string;
  orgId: string | null;
  title: string;
  state: ReviewState;
  level: number;
  levelsJson: string[] | string;
  departmentId: string;
  canReturn: boolean;
  reason: string | null;
  submittedBy: string | null;
  submittedAt: string;
  updatedAt: string;
  decidedAt: string | null;
}

export interface ReviewEventsTable {
  id: string;
  reviewId: string;
  subjectKind: string;
  subjectId: string;
  actorId: string | null;
  actorName: string;
  departmentId: string | null;
  action: string;
  fromState: string | null;
  toState: string;
  level: number;
  reason: string | null;
  at: string;
}

export interface AuditLogTable {
  id: string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  orgId: string | null;
  ip: string | null;
  action: string;
  subjectKind: string | null;
  subjectId: string | null;
  fromState: string | null;
  toState: string | null;
  detailJson: Record<string, unknown> | string | null;
}

export interface SessionsTable {
  id: string;
  userId: string;
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
}
export interface LoginAttemptsTable {
  id: string;
  identifier: string;
  ip: string | null;
  isSuccess: boolean;
  at: string;
}
export interface CaptchasTable {
  id: string;
  answer: string;
  expiresAt: string;
}
export interface PasswordResetsTable {
  id: string;
  userId: string;
  tokenHash: string;
  expiresAt: string;
  usedAt: string | null;
  createdAt: string;
}
export interface MailOutboxTable {
  id: string;
  toAddr: string;
  subject: string;
  bodyText: string;
  state: 'queued' | 'sending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  /** which dispatcher holds a `sending` row, and since when (its lease) */
  claimToken: string | null;
  claimedAt: string | null;
}
export interface SiteSettingsTable {
  key: string;
  valueJson: unknown;
}

export interface CategoriesTable {
  code: string;
  name: string;
  parentCode: string | null;
  level: number;
  isEnabled: boolean;
  sort: number;
}
export interface ServiceFieldsTable {
  code: string;
  name: string;
  isEnabled: boolean;
  sort: number;
}
export interface FilesTable {
  id: string;
  orgId: string | null;
  purpose: string;
  storageKey: string;
  thumbKey: string | null;
  originalName: string;
  mime: string;
  size: number;
  sha256: string;
  createdBy: string | null;
  createdAt: string;
}
export interface InstrumentsTable {
  id: string;
  orgId: string;
  internalNo: string;
  name: string;
  nameEn: string | null;
  categoryCode: string;
  model: string | null;
  manufacturer: string | null;
  country: string | null;
  valueFen: number | null;
  purchaseDate: string | null;
  startUseDate: string | null;
  source: string | null;
  specs: string | null;
  functions: string | null;
  serviceContent: string | null;
  feeStandard: string | null;
  sharingMode: 'internal' | 'external';
  runStatus: string;
  cityCode: string | null;
  district: string | null;
  street: string | null;
  room: string | null;
  contactName: string | null;
  contactPhone: string | null;
  contactEmail: string | null;
  staffJson: unknown;
  state: 'draft' | 'pending' | 'listed' | 'rejected';
  isDisabled: boolean;
  rejectReason: string | null;
  serviceCount: number;
  ratingSum: number;
  ratingCount: number;
  searchText: string;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  listedAt: string | null;
}
export interface InstrumentFieldsTable {
  instrumentId: string;
  fieldCode: string;
}
export interface InstrumentFilesTable {
  instrumentId: string;
  fileId: string;
  kind: 'picture' | 'attachment';
  sort: number;
}
export interface CartItemsTable {
  id: string;
  userId: string;
  instrumentId: string;
  createdAt: string;
}
export interface ImportJobsTable {
  id: string;
  orgId: string;
  createdBy: string;
  state: 'running' | 'done' | 'failed';
  mode: 'all' | 'valid';
  fileName: string;
  totalRows: number;
  processedRows: number;
  createdCount: number;
  errorCount: number;
  errorsJson: unknown;
  message: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface CountersTable {
  key: string;
  last: number;
}
export interface BookingsTable {
  id: string;
  no: string;
  consumerOrgId: string;
  providerOrgId: string;
  applicantId: string;
  state: 'draft' | 'submitted' | 'accepted' | 'rejected' | 'withdrawn' | 'awaiting_settlement' | 'completed';
  version: number;
  samplesJson: unknown;
  purpose: string | null;
  expectedFrom: string | null;
  expectedTo: string | null;
  projectName: string | null;
  projectNo: string | null;
  projectSource: string | null;
  projectFundingFen: number | null;
  contactName: string | null;
  contactPhone: string | null;
  contactEmail: string | null;
  remark: string | null;
  liabilityText: string | null;
  liabilityAcceptedAt: string | null;
  plannedTestDate: string | null;
  declineReason: string | null;
  otherFeeFen: number;
  otherFeeNote: string | null;
  totalFeeFen: number;
  resultNote: string | null;
  searchText: string;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  acceptedAt: string | null;
  resultsAt: string | null;
  completedAt: string | null;
  hasOtherSubsidy: boolean | null;
}
export interface BookingItemsTable {
  bookingId: string;
  instrumentId: string;
  sort: number;
  testItems: string | null;
  resultText: string | null;
  machineHours: number | null;
  feesJson: unknown;
  subtotalFen: number;
}
export interface BookingFilesTable {
  bookingId: string;
  fileId: string;
  slot: 'result_report' | 'report' | 'invoice' | 'contract' | 'result_proof' | 'relevance_proof';
  createdAt: string;
}
export interface BookingEventsTable {
  id: string;
  bookingId: string;
  actorId: string | null;
  actorName: string;
  orgId: string | null;
  orgName: string | null;
  action: string;
  fromState: string | null;
  toState: string;
  comment: string | null;
  at: string;
}
export interface BookingRatingsTable {
  bookingId: string;
  stars: number;
  comment: string | null;
  raterId: string;
  createdAt: string;
}
export interface MessagesTable {
  id: string;
  userId: string;
  title: string;
  body: string;
  link: string | null;
  subjectKind: string | null;
  subjectId: string | null;
  readAt: string | null;
  createdAt: string;
}

export interface VoucherPoliciesTable {
  id: string;
  effectiveFrom: string;
  policyJson: unknown;
  note: string | null;
  createdBy: string | null;
  createdAt: string;
}
export interface VoucherClaimsTable {
  id: string;
  no: string;
  kind: 'provincial' | 'municipal';
  bookingId: string;
  consumerOrgId: string;
  providerOrgId: string;
  cityCode: string;
  policyId: string;
  year: number;
  feeFen: number;
  rateBp: number;
  amountFen: number;
  reviewId: string | null;
  verifyCode: string;
  batchId: string | null;
  isReleased: boolean;
  createdAt: string;
  approvedAt: string | null;
  paidAt: string | null;
}
export interface VoucherLedgersTable {
  orgId: string;
  year: number;
  provincialFen: number;
  municipalFen: number;
}
export interface PayoutBatchesTable {
  id: string;
  no: string;
  month: string;
  state: 'draft' | 'confirmed';
  claimCount: number;
  totalFen: number;
  createdBy: string;
  createdAt: string;
  confirmedBy: string | null;
  confirmedAt: string | null;
}

export interface PostsTable {
  id: string;
  orgId: string;
  kind: 'demand' | 'supply';
  title: string;
  content: string;
  categoriesJson: unknown;
  fieldsJson: unknown;
  amountFen: number | null;
  amountNote: string | null;
  contactName: string;
  contactPhone: string;
  contactEmail: string | null;
  validUntil: string;
  state: 'draft' | 'pending' | 'published' | 'rejected' | 'disabled';
  isVisible: boolean;
  publishedJson: unknown;
  rejectReason: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
}
export interface PostFilesTable {
  postId: string;
  fileId: string;
  sort: number;
}
export interface NoticesTable {
  id: string;
  title: string;
  body: string;
  isPinned: boolean;
  isPublished: boolean;
  publishedAt: string | null;
  authorId: string | null;
  createdAt: string;
  updatedAt: string;
}
export interface DistrictsTable {
  code: string;
  cityCode: string;
  name: string;
  isEnabled: boolean;
  sort: number;
}

/** The catalogue's change feed: the last number given out, and the instruments each number changed ('*': all). */
export interface CatalogueFeedTable {
  id: number;
  seq: number;
}
export interface CatalogueChangesTable {
  seq: number;
  instrumentId: string;
  changedAt: string;
}

/** The tables of issues 13–15 are typed in their own files (types-identity.ts, types-terminals.ts, types-stats.ts). */
export interface DB extends IdentityTables, TerminalTables, StatsTables {
  cities: CitiesTable;
  departments: DepartmentsTable;
  users: UsersTable;
  organizations: OrganizationsTable;
  memberships: MembershipsTable;
  bindingRequests: BindingRequestsTable;
  reviews: ReviewsTable;
  reviewEvents: ReviewEventsTable;
  auditLog: AuditLogTable;
  sessions: SessionsTable;
  loginAttempts: LoginAttemptsTable;
  captchas: CaptchasTable;
  passwordResets: PasswordResetsTable;
  mailOutbox: MailOutboxTable;
  siteSettings: SiteSettingsTable;
  categories: CategoriesTable;
  serviceFields: ServiceFieldsTable;
  files: FilesTable;
  instruments: InstrumentsTable;
  instrumentFields: InstrumentFieldsTable;
  instrumentFiles: InstrumentFilesTable;
  cartItems: CartItemsTable;
  importJobs: ImportJobsTable;
  counters: CountersTable;
  bookings: BookingsTable;
  bookingItems: BookingItemsTable;
  bookingFiles: BookingFilesTable;
  bookingEvents: BookingEventsTable;
  bookingRatings: BookingRatingsTable;
  messages: MessagesTable;
  voucherPolicies: VoucherPoliciesTable;
  voucherClaims: VoucherClaimsTable;
  voucherLedgers: VoucherLedgersTable;
  payoutBatches: PayoutBatchesTable;
  posts: PostsTable;
  postFiles: PostFilesTable;
  notices: NoticesTable;
  districts: DistrictsTable;
  catalogueFeed: CatalogueFeedTable;
  catalogueChanges: CatalogueChangesTable;
}
