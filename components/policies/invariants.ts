import { dashboardsAllowListed, noOpenAllowList } from "./allow-list";
import { dashboardsClusterInternal, noAnonymousDashboards } from "./dashboards";
import { meshWideStrictMtls, strictMtls } from "./mtls";

/**
 * The security invariants of every protected stack, as Pulumi policies: what a pull request
 * must not be able to turn off by changing a stack file and the test that guards it
 * together. They read what the engine is told (the program's resources and every object a
 * chart renders), not our config, so a change elsewhere in the program meets them too. They
 * check what is listed here, not every way to the same end: docs/security.md says what is
 * left to review.
 */
export const MESH_INVARIANTS = [
    strictMtls,
    meshWideStrictMtls,
    noOpenAllowList,
    dashboardsAllowListed,
    noAnonymousDashboards,
    dashboardsClusterInternal,
];
