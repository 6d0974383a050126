//! The `pinn` binary, run for real against emulators started here.
