//! Cost of the metadata API where probes spend it (issue: "a probe iterating 100 objects
//! costs under 5 µs"):
//! - `iterate_100_objects_batch4`: a probe's loop over a batch of 4 frames holding 100 objects
//!   in all, reading class id and confidence and setting the border colour (test1's probe);
//! - `acquire_add_100_objects`: what an inference element does per frame: acquire 100 object
//!   metas from the pool, fill them and add them to a frame (the batch is released after).

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use ds_meta::BatchMeta;

fn batch_with_objects(frames: u32, objects: u32) -> gst::Buffer {
    let mut buffer = gst::Buffer::with_size(16).unwrap();
    {
        let batch = BatchMeta::attach(buffer.get_mut().unwrap(), frames).unwrap();
        for f in 0..frames {
            let frame = batch.add_frame_meta().unwrap();
            for i in 0..objects / frames {
                let o = frame.add_obj_meta(None).unwrap();
                o.set_class_id((i % 4) as i32);
                o.set_confidence(0.5);
                o.set_obj_label("person").unwrap();
                let r = o.rect_params_mut();
                r.left = (f * 10 + i) as f32;
                r.width = 20.0;
            }
        }
    }
    buffer
}

fn benches(c: &mut Criterion) {
    gst::init().unwrap();
    ds_meta::init().unwrap();

    let mut buffer = batch_with_objects(4, 100);
    c.bench_function("iterate_100_objects_batch4", |b| {
        b.iter(|| {
            let batch = BatchMeta::from_buffer_mut(buffer.get_mut().unwrap()).unwrap();
            let mut counts = [0u32; 4];
            let mut conf = 0.0f32;
            for frame in batch.frames_mut() {
                for obj in frame.objects_mut() {
                    counts[obj.class_id().clamp(0, 3) as usize] += 1;
                    conf += obj.confidence();
                    obj.rect_params_mut().border_color.set(0.0, 0.0, 1.0, 0.8);
                }
            }
            black_box((counts, conf))
        })
    });

    c.bench_function("acquire_add_100_objects", |b| {
        b.iter_batched(
            || batch_with_objects(1, 0),
            |mut buffer| {
                let batch = BatchMeta::from_buffer_mut(buffer.get_mut().unwrap()).unwrap();
                let frame = batch.frame_mut(0).unwrap();
                for i in 0..100 {
                    let o = frame.add_obj_meta(None).unwrap();
                    o.set_class_id(2);
                    o.set_confidence(0.9);
                    let r = o.rect_params_mut();
                    r.left = i as f32;
                    r.width = 10.0;
                }
                buffer
            },
            criterion::BatchSize::SmallInput,
        )
    });
}

criterion_group! {
    name = meta;
    config = Criterion::default().sample_size(30).warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = benches
}
criterion_main!(meta);
