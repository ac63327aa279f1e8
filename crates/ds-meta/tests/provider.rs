//! Provider choice: one per process, chosen once. (Its own test binary: the choice is
//! process-wide.)

use ds_meta::{Error, Provider};

fn libs_present() -> bool {
    if let Some(dir) = std::env::var_os("DS_META_LIB_DIR").filter(|d| !d.is_empty()) {
        return unsafe { libloading::Library::new(std::path::Path::new(&dir).join("libnvds_meta.so")) }.is_ok();
    }
    ["libnvds_meta.so", "/opt/nvidia/deepstream/deepstream/lib/libnvds_meta.so"]
        .iter()
        .any(|p| unsafe { libloading::Library::new(p) }.is_ok())
}

#[test]
fn provider_choice() {
    // Environment parsing (single test in this binary, so no other thread reads the env).
    unsafe {
        std::env::set_var("DS_META_PROVIDER", "bogus");
    }
    let e = Provider::from_env().unwrap_err();
    assert!(matches!(e, Error::BadEnv { var: "DS_META_PROVIDER", .. }), "{e}");
    unsafe {
        std::env::remove_var("DS_META_PROVIDER");
        std::env::set_var("DS_BACKEND", "portable");
    }
    assert_eq!(Provider::from_env().unwrap(), Provider::Builtin);
    unsafe { std::env::set_var("DS_BACKEND", "deepstream") };
    assert_eq!(Provider::from_env().unwrap(), Provider::Native);
    unsafe { std::env::set_var("DS_BACKEND", "auto") };
    let auto = Provider::from_env().unwrap();
    assert_eq!(auto == Provider::Native, libs_present());
    unsafe { std::env::set_var("DS_BACKEND", "gpu") };
    assert!(Provider::from_env().unwrap_err().to_string().contains("DS_BACKEND=\"gpu\""));
    unsafe { std::env::remove_var("DS_BACKEND") };
    assert_eq!(Provider::from_env().unwrap(), Provider::Builtin);

    gst::init().unwrap();
    if libs_present() {
        // On a DeepStream machine the native provider loads and is then fixed, unless the
        // library is another version's than this build's layouts (tests/native.rs checks
        // that error): then nothing is chosen.
        if let Err(e) = ds_meta::set_provider(Provider::Native) {
            assert!(matches!(e, Error::NativeAbiMismatch { .. }), "{e}");
            ds_meta::set_provider(Provider::Builtin).unwrap();
            return;
        }
        assert_eq!(ds_meta::current_provider(), Provider::Native);
        assert!(matches!(ds_meta::set_provider(Provider::Builtin), Err(Error::ProviderAlreadySet { .. })));
        return;
    }
    // Without DeepStream: a clear error naming both libraries, and nothing is chosen.
    let e = ds_meta::set_provider(Provider::Native).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::NativeLibrariesMissing { .. }));
    assert!(msg.contains("libnvds_meta.so") && msg.contains("libnvdsgst_meta.so"), "{msg}");
    assert!(msg.contains("/opt/nvidia/deepstream/deepstream/lib"), "search path named: {msg}");
    // Builtin can still be chosen; init is idempotent; switching later is refused.
    ds_meta::set_provider(Provider::Builtin).unwrap();
    ds_meta::set_provider(Provider::Builtin).unwrap();
    assert_eq!(ds_meta::init().unwrap(), Provider::Builtin);
    assert_eq!(ds_meta::init().unwrap(), Provider::Builtin);
    let e = ds_meta::set_provider(Provider::Native).unwrap_err();
    assert!(matches!(e, Error::ProviderAlreadySet { current: Provider::Builtin, requested: Provider::Native }), "{e}");
}
