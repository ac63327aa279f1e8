mod common;
use common::*;
use ds_infer::*;

#[test]
fn explore() {
    let cfg = write_config("y.txt", "[property]\nonnx-file=/tmp/dsi/y123/yolov3-tiny.onnx\nlabelfile-path=@ROOT@/models/yolov3-tiny/coco.names\nnet-scale-factor=0.0039215697906911373\nmodel-color-format=0\nnum-detected-classes=80\nparse-bbox-func-name=NvDsInferParseCustomYoloV3Tiny\ncluster-mode=2\nbatch-size=4\n[class-attrs-all]\npre-cluster-threshold=0.25\nnms-iou-threshold=0.45\n");
    let c = InferConfig::from_file(&cfg).unwrap();
    let mut inf = Inference::new(&c).unwrap();
    println!("dims {:?} batch {}", inf.input_dims(), inf.max_batch());
    for n in [200usize] {
        let img = vtest_frame(n);
        let t = std::time::Instant::now();
        let out = inf.infer(&[img.full()]).unwrap();
        println!("frame {n} {:?}", t.elapsed());
        for d in &out[0].detections { println!("  {} {:.3} {:.0} {:.0} {:.0} {:.0}", d.label.as_deref().unwrap_or("?"), d.confidence, d.rect.left, d.rect.top, d.rect.width, d.rect.height); }
    }
}
