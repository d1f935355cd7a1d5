/** Tables of the unified identity login (issue 13): external identities and their links to platform accounts. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface IdentityTables {}
