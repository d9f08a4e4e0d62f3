/** The profile builder lives in the analysis core (in-process users build profiles too); re-exported for the CLI. */
export { ProfileBuilder, type ProfileBuilderOptions } from '../../analysis/ProfileBuilder.js';
