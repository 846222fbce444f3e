/**
 * The error codes of @steady/env: every `SteadyError` code it throws, declared
 * once with its meaning and a generic hint. Declaring them here makes them
 * valid codes of `SteadyError` (`SteadyErrorCode` in @steady/kernel).
 */
import { defineErrorCodes } from '@steady/kernel'

/** The error codes @steady/env throws, each with what it means and what to do (docs/errors.md is generated from it). */
export const envErrorCodes = defineErrorCodes({
  STEADY_ENV_UNKNOWN: {
    meaning: 'The environment named is not in the environments section of steady.config.ts.',
    hint: 'Use one of the configured environments, or add it to steady.config.ts.',
  },
  STEADY_ENV_CONFIG: {
    meaning: "An environment's configuration (a provider field, a service, a command) is not valid.",
    hint: "Fix the field the message names; docs/environments.md describes every provider's fields.",
  },
  STEADY_ENV_PORT_TAKEN: {
    meaning: 'A service of a process environment asks for a fixed port that something else already listens on.',
    hint: "Stop what listens on that port, or use port: 'auto'.",
  },
  STEADY_ENV_ID_INVALID: {
    meaning: 'An environment id is not a valid id.',
    hint: 'Use lower-case letters, digits and -, starting with a letter and ending with a letter or digit.',
  },
  STEADY_ENV_BRANCH_INVALID: {
    meaning: 'The --branch given is empty.',
    hint: 'Give a branch name, or leave --branch out to use the current git branch.',
  },
  STEADY_ENV_TAG_INVALID: {
    meaning: 'A tag is not key=value, is given twice, or has a key or value steady cannot pass on.',
    hint: 'Write tags as --tag key=value (for example --tag team=checkout), each key once.',
  },
  STEADY_ENV_TAG_MISSING: {
    meaning: 'An environment template uses a {tag.<key>} that was not given.',
    hint: 'Pass the tag with --tag <key>=<value>.',
  },
  STEADY_ENV_EXISTS: {
    meaning: 'An environment with that id is already up, or no free id could be found.',
    hint: 'Tear it down with steady env down <id>, or choose another --id.',
  },
  STEADY_ENV_NOT_FOUND: {
    meaning: 'No environment with that id is up in this project.',
    hint: 'List the environments that are up with steady env ls.',
  },
  STEADY_ENV_PROVIDER_UNKNOWN: {
    meaning: 'An environment that is up was made by a provider this steady does not know.',
    hint: 'Tear it down with the steady (or program) that brought it up.',
  },
  STEADY_ENV_STATE_INVALID: {
    meaning: 'A file in .steady/ that records an environment is not valid.',
    hint: 'Remove the file once you have checked nothing of that environment still runs.',
  },
  STEADY_ENV_NOT_READY: {
    meaning:
      'An environment or one of its services did not pass its readiness check in time, or stopped while starting.',
    hint: 'Read the log the message shows; fix the service, or raise the readiness timeout if it is only slow.',
  },
  STEADY_ENV_COMMAND_FAILED: {
    meaning: "A command environment's up or down command failed or timed out.",
    hint: 'Read the log the message shows, run the command by hand, or raise its timeout.',
  },
  STEADY_ENV_TEARDOWN: {
    meaning: 'Processes of an environment survived SIGKILL at teardown.',
    hint: 'Check the stuck processes (ps -o pid,stat,cmd -g <pgid>): one stuck in the kernel cannot be killed.',
    exitCode: 1,
  },
  STEADY_ENV_REF_NO_GIT: {
    meaning: '--control-ref needs a git checkout, and the project is not in one.',
    hint: 'Run steady from a git checkout, or give the control with --control-env or --control-url.',
  },
  STEADY_ENV_REF_UNKNOWN: {
    meaning: '--control-ref names no commit of the repository.',
    hint: 'Give a branch, tag or commit that exists here (git fetch it first).',
  },
  STEADY_ENV_WORKTREE_FAILED: {
    meaning: 'The git worktree for the control version could not be created.',
    hint: 'Remove the worktree folder the message names and run git worktree prune, then try again.',
  },
  STEADY_ENV_BUILD_FAILED: {
    meaning: "The plan's build command failed in the control version's worktree.",
    hint: 'Read the build log the message names and fix the build.',
  },
  STEADY_INTERRUPTED: {
    meaning: 'SIGINT or SIGTERM stopped the command; the environment was torn down.',
    hint: 'Run the command again when you are ready.',
    exitCode: [130, 143],
  },
})

declare module '@steady/kernel' {
  interface SteadyErrorCodeTables {
    env: typeof envErrorCodes
  }
}
