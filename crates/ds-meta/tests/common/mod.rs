//! The provider the environment names, so that the same tests run on the builtin provider
//! (default) and on NVIDIA's libraries:
//! `DS_META_ABI=9.1 DS_META_PROVIDER=native DS_META_LIB_DIR=$PWD/models/deepstream-9.1/lib
//! cargo test -p ds-meta --test core --test payloads --test analytics --test leak`.

/// `ds_meta::init` with `Provider::from_env()` chosen first (builtin when nothing is set).
pub fn init() -> ds_meta::Result<ds_meta::Provider> {
    let _ = gst::init();
    let provider = ds_meta::Provider::from_env()?;
    if let Err(e) = ds_meta::set_provider(provider) {
        panic!("the {provider:?} metadata provider (from the environment) does not start: {e}");
    }
    ds_meta::init()
}
