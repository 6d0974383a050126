//! `pinn mock`'s flags: the server flags of `pinn-mock`, from `pinn_mock::flags`, added to
//! clap from that table and read back as the values given.

use clap::{Arg, ArgMatches};
use pinn_mock::MockServer;
use pinn_mock::flags::Flag;

/// `pinn mock`'s own flags: the server flags of `pinn-mock`, from [`pinn_mock::flags`], but
/// for the key (read from the file `--secret-key-file` names) and `--seed` (global: `--mock`
/// takes it too, as it does `--demo`). Each value is checked as clap parses it, and kept as
/// given for [`Flag::apply`].
#[derive(Debug, Default)]
pub struct MockArgs {
    given: Vec<(Flag, String)>,
}

impl MockArgs {
    /// The server flags `pinn mock` takes as its own.
    fn flags() -> impl Iterator<Item = Flag> {
        let own = |f: &Flag| !matches!(f, Flag::SecretKey | Flag::Seed);
        Flag::ALL.iter().copied().filter(own)
    }

    /// The flags given, each with its value.
    pub fn given(&self) -> &[(Flag, String)] {
        &self.given
    }

    /// The value given to `flag`, if it was.
    pub fn value(&self, flag: Flag) -> Option<&str> {
        let given = self.given.iter().find(|(f, _)| *f == flag);
        given.map(|(_, v)| v.as_str())
    }
}

/// The flags from the table, as clap takes them: each with its name, value name and help, its
/// value checked by the flag itself.
impl clap::Args for MockArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        MockArgs::flags().fold(cmd, |cmd, flag| {
            cmd.arg(
                Arg::new(flag.long())
                    .long(flag.long())
                    .value_name(flag.value_name())
                    .help(flag.help())
                    // The flag judges every value: `--clock -1` is a time, `--port -1` a
                    // port out of range, as `pinn-mock` has them.
                    .allow_negative_numbers(true)
                    .value_parser(server_value(flag)),
            )
        })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        MockArgs::augment_args(cmd)
    }
}

impl clap::FromArgMatches for MockArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<MockArgs, clap::Error> {
        let mut args = MockArgs::default();
        args.update_from_arg_matches(matches)?;
        Ok(args)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for flag in MockArgs::flags() {
            if let Some(value) = matches.get_one::<String>(flag.long()) {
                self.given.retain(|(f, _)| *f != flag);
                self.given.push((flag, value.clone()));
            }
        }
        Ok(())
    }
}

/// A value of a server flag, checked as `pinn-mock` checks it (on a builder thrown away) and
/// kept as given: a refusal is clap's usage error, `invalid value 'X' for '--flag <N>': why`.
pub(super) fn server_value(
    flag: Flag,
) -> impl Fn(&str) -> Result<String, String> + Clone + Send + Sync + 'static {
    move |value| {
        let checked = flag.apply(MockServer::builder(), value);
        checked.map(|_| value.to_string())
    }
}
