// The host guard lives in the core (the install flow checks portal domains with it too); kept here for the SQL adapters.
export { embeddedIpv4, HostGuard, RESTRICTED_RANGES, type HostLookup } from '../../src/host-guard.js'
