//! The sample's in-place edit on a frame in CUDA memory, without CUDA at build time: the CUDA
//! driver (`libcuda.so.1`, present wherever DeepStream runs on a dGPU) is loaded at run time,
//! and the kernel is PTX text that the driver compiles for the GPU at hand. What the Python
//! sample does with cupy (`R ← 0.5 · R + 0.5` as uint8, on the null stream, then synchronise).

use std::ffi::{CStr, c_char, c_int, c_uint, c_void};
use std::sync::OnceLock;

use anyhow::{Context as _, bail};

/// `CUdeviceptr`.
pub type DevicePtr = u64;
type CuResult = c_int;
type Ctx = *mut c_void;

/// The kernel: one thread per pixel, channel 0 of pixel (x, y) at `data + y·pitch + x·channels`.
const PTX: &str = r#"
.version 6.0
.target sm_50
.address_size 64

.visible .entry halve_red(
    .param .u64 p_data,
    .param .u32 p_pitch,
    .param .u32 p_width,
    .param .u32 p_height,
    .param .u32 p_channels
)
{
    .reg .pred %p<3>;
    .reg .b32 %r<16>;
    .reg .b64 %rd<8>;
    .reg .f32 %f<3>;

    ld.param.u64 %rd1, [p_data];
    ld.param.u32 %r1, [p_pitch];
    ld.param.u32 %r2, [p_width];
    ld.param.u32 %r3, [p_height];
    ld.param.u32 %r4, [p_channels];
    mov.u32 %r5, %ctaid.x;
    mov.u32 %r6, %ntid.x;
    mov.u32 %r7, %tid.x;
    mad.lo.u32 %r8, %r5, %r6, %r7;
    mov.u32 %r9, %ctaid.y;
    mov.u32 %r10, %ntid.y;
    mov.u32 %r11, %tid.y;
    mad.lo.u32 %r12, %r9, %r10, %r11;
    setp.ge.u32 %p1, %r8, %r2;
    setp.ge.u32 %p2, %r12, %r3;
    or.pred %p1, %p1, %p2;
    @%p1 bra DONE;
    mul.wide.u32 %rd2, %r12, %r1;
    mul.wide.u32 %rd3, %r8, %r4;
    add.u64 %rd4, %rd2, %rd3;
    cvta.to.global.u64 %rd5, %rd1;
    add.u64 %rd6, %rd5, %rd4;
    ld.global.u8 %r13, [%rd6];
    cvt.rn.f32.u32 %f1, %r13;
    fma.rn.f32 %f2, %f1, 0f3F000000, 0f3F000000;
    cvt.rzi.u32.f32 %r14, %f2;
    st.global.u8 [%rd6], %r14;
DONE:
    ret;
}
"#;

/// The driver functions used, resolved once.
struct Driver {
    _lib: libloading::Library,
    device_get: unsafe extern "C" fn(*mut c_int, c_int) -> CuResult,
    primary_ctx_retain: unsafe extern "C" fn(*mut Ctx, c_int) -> CuResult,
    ctx_push: unsafe extern "C" fn(Ctx) -> CuResult,
    ctx_pop: unsafe extern "C" fn(*mut Ctx) -> CuResult,
    ctx_synchronize: unsafe extern "C" fn() -> CuResult,
    module_load_data: unsafe extern "C" fn(*mut *mut c_void, *const c_void) -> CuResult,
    module_get_function: unsafe extern "C" fn(*mut *mut c_void, *mut c_void, *const c_char) -> CuResult,
    #[allow(clippy::type_complexity)]
    launch_kernel: unsafe extern "C" fn(
        *mut c_void, c_uint, c_uint, c_uint, c_uint, c_uint, c_uint, c_uint, *mut c_void, *mut *mut c_void, *mut *mut c_void,
    ) -> CuResult,
    get_error_string: unsafe extern "C" fn(CuResult, *mut *const c_char) -> CuResult,
    // For `roundtrip` (tests and examples/cuda_check.rs).
    #[allow(dead_code)]
    mem_alloc: unsafe extern "C" fn(*mut DevicePtr, usize) -> CuResult,
    #[allow(dead_code)]
    mem_free: unsafe extern "C" fn(DevicePtr) -> CuResult,
    #[allow(dead_code)]
    memcpy_htod: unsafe extern "C" fn(DevicePtr, *const c_void, usize) -> CuResult,
    #[allow(dead_code)]
    memcpy_dtoh: unsafe extern "C" fn(*mut c_void, DevicePtr, usize) -> CuResult,
}

/// The loaded driver with the kernel, per GPU (`gpu_id` → function); errors are kept so the
/// message is given once per call, not retried per frame.
struct Cuda {
    driver: Driver,
    kernels: std::sync::Mutex<Vec<(u32, Ctx, usize)>>,
}

// SAFETY: the context and function handles are process-wide driver objects, usable from any
// thread (the context is pushed on the calling thread for each use).
unsafe impl Send for Cuda {}
unsafe impl Sync for Cuda {}

fn cuda() -> anyhow::Result<&'static Cuda> {
    static CUDA: OnceLock<Result<Cuda, String>> = OnceLock::new();
    CUDA.get_or_init(|| load().map_err(|e| format!("{e:#}"))).as_ref().map_err(|e| anyhow::anyhow!("{e}"))
}

fn load() -> anyhow::Result<Cuda> {
    // SAFETY: loading the CUDA driver runs its initialisers, as any CUDA program does.
    let lib = unsafe { libloading::Library::new("libcuda.so.1") }
        .context("the CUDA driver libcuda.so.1 is not installed: the device view needs an NVIDIA dGPU")?;
    macro_rules! sym {
        ($name:literal) => {
            // SAFETY: the driver API's documented signature.
            *unsafe { lib.get($name) }.with_context(|| format!("libcuda.so.1 lacks {}", String::from_utf8_lossy($name)))?
        };
    }
    let init: unsafe extern "C" fn(c_uint) -> CuResult = sym!(b"cuInit\0");
    let driver = Driver {
        device_get: sym!(b"cuDeviceGet\0"),
        primary_ctx_retain: sym!(b"cuDevicePrimaryCtxRetain\0"),
        ctx_push: sym!(b"cuCtxPushCurrent_v2\0"),
        ctx_pop: sym!(b"cuCtxPopCurrent_v2\0"),
        ctx_synchronize: sym!(b"cuCtxSynchronize\0"),
        module_load_data: sym!(b"cuModuleLoadData\0"),
        module_get_function: sym!(b"cuModuleGetFunction\0"),
        launch_kernel: sym!(b"cuLaunchKernel\0"),
        get_error_string: sym!(b"cuGetErrorString\0"),
        mem_alloc: sym!(b"cuMemAlloc_v2\0"),
        mem_free: sym!(b"cuMemFree_v2\0"),
        memcpy_htod: sym!(b"cuMemcpyHtoD_v2\0"),
        memcpy_dtoh: sym!(b"cuMemcpyDtoH_v2\0"),
        _lib: lib,
    };
    let cuda = Cuda { driver, kernels: Default::default() };
    // SAFETY: cuInit(0) is the first driver call.
    cuda.check(unsafe { init(0) }, "cuInit")?;
    Ok(cuda)
}

impl Cuda {
    fn check(&self, r: CuResult, what: &str) -> anyhow::Result<()> {
        if r == 0 {
            return Ok(());
        }
        let mut s: *const c_char = std::ptr::null();
        // SAFETY: cuGetErrorString sets a static string or leaves it null.
        unsafe { (self.driver.get_error_string)(r, &mut s) };
        let msg = if s.is_null() { "unknown error".into() } else { unsafe { CStr::from_ptr(s) }.to_string_lossy() };
        bail!("{what} failed: CUDA error {r} ({msg})")
    }

    /// Runs `f` with GPU `gpu_id`'s primary context current and the kernel loaded in it.
    fn with_kernel<T>(&self, gpu_id: u32, f: impl FnOnce(*mut c_void) -> anyhow::Result<T>) -> anyhow::Result<T> {
        let d = &self.driver;
        let mut kernels = self.kernels.lock().unwrap_or_else(|e| e.into_inner());
        let (ctx, func) = match kernels.iter().find(|k| k.0 == gpu_id) {
            Some(&(_, ctx, func)) => (ctx, func as *mut c_void),
            None => {
                let mut dev = 0;
                self.check(unsafe { (d.device_get)(&mut dev, gpu_id as c_int) }, "cuDeviceGet")?;
                let mut ctx = std::ptr::null_mut();
                // SAFETY: retained for the process's lifetime (DeepStream's runtime API uses
                // the same primary context).
                self.check(unsafe { (d.primary_ctx_retain)(&mut ctx, dev) }, "cuDevicePrimaryCtxRetain")?;
                self.check(unsafe { (d.ctx_push)(ctx) }, "cuCtxPushCurrent")?;
                let ptx = std::ffi::CString::new(PTX).expect("PTX has no NUL");
                let mut module = std::ptr::null_mut();
                let mut func = std::ptr::null_mut();
                let r = self
                    .check(unsafe { (d.module_load_data)(&mut module, ptx.as_ptr().cast()) }, "cuModuleLoadData (the halve_red PTX)")
                    .and_then(|_| self.check(unsafe { (d.module_get_function)(&mut func, module, c"halve_red".as_ptr()) }, "cuModuleGetFunction"));
                let mut popped = std::ptr::null_mut();
                unsafe { (d.ctx_pop)(&mut popped) };
                r?;
                kernels.push((gpu_id, ctx, func as usize));
                (ctx, func)
            }
        };
        drop(kernels);
        self.check(unsafe { (d.ctx_push)(ctx) }, "cuCtxPushCurrent")?;
        let r = f(func);
        let mut popped = std::ptr::null_mut();
        unsafe { (d.ctx_pop)(&mut popped) };
        r
    }
}

/// `R ← uint8(0.5 · R + 0.5)` on every pixel of a `height × width × channels` uint8 frame at
/// device address `data` (rows `pitch` bytes apart) on GPU `gpu_id`, on the null stream,
/// synchronised before returning.
///
/// Errors: no CUDA driver; the PTX does not load; the launch fails (a bad pointer shows up
/// here as the driver's error).
pub fn halve_red(gpu_id: u32, data: DevicePtr, pitch: usize, width: usize, height: usize, channels: usize) -> anyhow::Result<()> {
    if channels < 3 || pitch < width * channels {
        bail!("halve_red: a frame of {channels} channels with pitch {pitch} < width {width} × {channels}");
    }
    let c = cuda()?;
    c.with_kernel(gpu_id, |func| {
        let (mut p, mut pt, mut w, mut h, mut ch) = (data, pitch as u32, width as u32, height as u32, channels as u32);
        let mut params: [*mut c_void; 5] = [
            (&mut p as *mut u64).cast(),
            (&mut pt as *mut u32).cast(),
            (&mut w as *mut u32).cast(),
            (&mut h as *mut u32).cast(),
            (&mut ch as *mut u32).cast(),
        ];
        let (bx, by) = (32u32, 8u32);
        let (gx, gy) = ((width as u32).div_ceil(bx), (height as u32).div_ceil(by));
        // SAFETY: the parameters match the kernel's; null stream; no shared memory.
        let r = unsafe {
            (c.driver.launch_kernel)(func, gx, gy, 1, bx, by, 1, 0, std::ptr::null_mut(), params.as_mut_ptr(), std::ptr::null_mut())
        };
        c.check(r, "cuLaunchKernel (halve_red)")?;
        c.check(unsafe { (c.driver.ctx_synchronize)() }, "cuCtxSynchronize")
    })
}

/// Device memory for tests: `bytes` uploaded, the function run on its address, read back.
#[allow(dead_code)] // tests and examples/cuda_check.rs
pub fn roundtrip(gpu_id: u32, bytes: &[u8], f: impl FnOnce(DevicePtr) -> anyhow::Result<()>) -> anyhow::Result<Vec<u8>> {
    let c = cuda()?;
    let d = &c.driver;
    let mut ptr: DevicePtr = 0;
    c.with_kernel(gpu_id, |_| {
        c.check(unsafe { (d.mem_alloc)(&mut ptr, bytes.len()) }, "cuMemAlloc")?;
        c.check(unsafe { (d.memcpy_htod)(ptr, bytes.as_ptr().cast(), bytes.len()) }, "cuMemcpyHtoD")
    })?;
    let r = f(ptr);
    let mut out = vec![0u8; bytes.len()];
    let copied = c.with_kernel(gpu_id, |_| {
        let r = c.check(unsafe { (d.memcpy_dtoh)(out.as_mut_ptr().cast(), ptr, out.len()) }, "cuMemcpyDtoH");
        unsafe { (d.mem_free)(ptr) };
        r
    });
    r?;
    copied?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On a machine with an NVIDIA GPU (`libcuda.so.1`): the kernel halves channel 0 of a
    /// pitched RGBA frame and leaves the rest, padding included. Elsewhere it checks that the
    /// missing driver is a clear error.
    #[test]
    fn halve_red_on_the_gpu_or_a_clear_error() {
        let (w, h, pitch) = (37usize, 5usize, 160usize);
        let host: Vec<u8> = (0..pitch * h).map(|i| (i * 7 % 256) as u8).collect();
        match roundtrip(0, &host, |p| halve_red(0, p, pitch, w, h, 4)) {
            Ok(out) => {
                for y in 0..h {
                    for x in 0..pitch {
                        let i = y * pitch + x;
                        let want = if x < w * 4 && x % 4 == 0 { (0.5 * host[i] as f32 + 0.5) as u8 } else { host[i] };
                        assert_eq!(out[i], want, "byte {x} of row {y}");
                    }
                }
                println!("halve_red ran on GPU 0");
            }
            Err(e) => {
                let m = format!("{e:#}");
                assert!(m.contains("libcuda.so.1"), "{m}");
                println!("no GPU here: {m}");
            }
        }
        let e = halve_red(0, 0, 10, 4, 1, 4).unwrap_err();
        assert!(e.to_string().contains("pitch 10 < width 4"), "{e}");
    }
}
