//! Classifier output with the portable `class-id-map` extension.
//!
//! nvinfer's default classifier parser ([`crate::parse::parse_classifier`]) reports, for each
//! output layer (attribute), the class of highest probability above `classifier-threshold`,
//! labelled from the attribute's line of the label file (labels separated by `;`).
//!
//! The portable backend runs general-purpose models in place of NVIDIA's task-specific
//! classifiers (EfficientNet-Lite0's 1000 ImageNet classes in place of VehicleTypeNet's six
//! body types). `class-id-map=model:output;...` in a classifier config turns the model's
//! classes into the sample's: the probabilities of all model classes mapped to the same output
//! class are **summed**, model classes not in the map count for nothing, and the output class
//! of highest summed probability above `classifier-threshold` is reported, labelled from the
//! label file by its output id. The map applies to every attribute (output layer) alike.
//!
//! For example, with `class-id-map=817:0;511:0;717:4` and the label line
//! `coupe;largevehicle;sedan;suv;truck;van`, a crop with sports car 0.3, convertible 0.25 and
//! pickup 0.2 is a `coupe` with probability 0.55.

use std::collections::BTreeMap;

use crate::output::Attribute;
use crate::parse::{Layer, parse_classifier, softmax};

/// Sums `probs` (one attribute's model-class probabilities) into output classes by `map`
/// (model class → output class). The result has `max(output class) + 1` entries; model
/// classes beyond `probs` or not in the map are ignored.
pub fn map_probabilities(probs: &[f32], map: &BTreeMap<u32, u32>) -> Vec<f32> {
    let n = map.values().copied().max().map_or(0, |m| m as usize + 1);
    let mut out = vec![0.0f32; n];
    for (&from, &to) in map {
        if let Some(&p) = probs.get(from as usize) {
            out[to as usize] += p;
        }
    }
    out
}

/// The classifier result of one input: nvinfer's parser, or with a `class-id-map` the
/// mapped and summed probabilities (see the module documentation).
///
/// `layers` are the attribute layers of one input (without the batch dimension), `labels`
/// the label file (`labels[attribute][class]`). Layers holding values outside 0..1 are taken
/// as logits and get a softmax first, as in [`parse_classifier`].
pub fn classify(
    layers: &[Layer],
    threshold: f32,
    labels: &[Vec<String>],
    class_id_map: Option<&BTreeMap<u32, u32>>,
) -> Vec<Attribute> {
    let Some(map) = class_id_map else {
        return parse_classifier(layers, threshold, labels);
    };
    let mapped: Vec<Vec<f32>> = layers
        .iter()
        .map(|layer| {
            let probs = if layer.data.iter().any(|&v| !(0.0..=1.0).contains(&v)) {
                softmax(layer.data)
            } else {
                layer.data.to_vec()
            };
            map_probabilities(&probs, map)
        })
        .collect();
    let dims: Vec<[usize; 1]> = mapped.iter().map(|m| [m.len()]).collect();
    let mapped_layers: Vec<Layer> = layers
        .iter()
        .zip(&mapped)
        .zip(&dims)
        .map(|((l, data), d)| Layer {
            name: l.name,
            dims: d,
            data,
        })
        .collect();
    parse_classifier(&mapped_layers, threshold, labels)
}

/// The text nvinfer appends to an object's `text_params.display_text` for a classifier
/// result: each attribute's label followed by a space (`"sedan "`), empty when no attribute
/// has a label. nvinfer joins it to the existing text with one more space:
/// see [`append_display_text`].
pub fn result_label(attributes: &[Attribute]) -> String {
    let mut s = String::new();
    for a in attributes {
        if let Some(l) = &a.label {
            s.push_str(l);
            s.push(' ');
        }
    }
    s
}

/// An object's new display text after a classifier result, as nvinfer builds it
/// (`gstnvinfer_meta_utils.cpp`, `attach_metadata_classifier`): the old text, a space, then
/// [`result_label`]. Unchanged when the result has no label.
pub fn append_display_text(old: &str, result_label: &str) -> String {
    if result_label.is_empty() {
        return old.to_string();
    }
    format!("{old} {result_label}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_labels;

    fn layer<'a>(data: &'a [f32], dims: &'a [usize]) -> Layer<'a> {
        Layer {
            name: "probs",
            dims,
            data,
        }
    }

    #[test]
    fn mapped_probabilities_are_summed_per_output_class() {
        let map: BTreeMap<u32, u32> = [(1, 0), (2, 0), (4, 1)].into_iter().collect();
        let p = map_probabilities(&[0.1, 0.2, 0.3, 0.15, 0.25], &map);
        assert_eq!(p.len(), 2);
        assert!((p[0] - 0.5).abs() < 1e-6, "{p:?}");
        assert!((p[1] - 0.25).abs() < 1e-6, "{p:?}");
    }

    #[test]
    fn summed_class_wins_over_a_single_larger_one() {
        // model classes 0 and 1 -> "coupe" (0.3 + 0.25), class 2 -> "truck" (0.35)
        let labels = parse_labels("coupe;truck\n");
        let map: BTreeMap<u32, u32> = [(0, 0), (1, 0), (2, 1)].into_iter().collect();
        let data = [0.3, 0.25, 0.35, 0.1];
        let a = classify(&[layer(&data, &[4])], 0.5, &labels, Some(&map));
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].value, 0);
        assert_eq!(a[0].label.as_deref(), Some("coupe"));
        assert!((a[0].probability - 0.55).abs() < 1e-6);
        // without the map nvinfer's parser picks the single best class, if above threshold
        let plain = classify(&[layer(&data, &[4])], 0.3, &labels, None);
        assert_eq!(plain[0].value, 2);
    }

    #[test]
    fn below_threshold_and_unmapped_mass_give_no_label() {
        let labels = parse_labels("coupe;truck\n");
        let map: BTreeMap<u32, u32> = [(0, 0), (1, 1)].into_iter().collect();
        // most probability on class 2, which is not mapped
        let data = [0.2, 0.1, 0.7];
        assert!(classify(&[layer(&data, &[3])], 0.25, &labels, Some(&map)).is_empty());
        let a = classify(&[layer(&data, &[3])], 0.15, &labels, Some(&map));
        assert_eq!(a[0].label.as_deref(), Some("coupe"));
    }

    #[test]
    fn multi_attribute_label_file_labels_each_layer_from_its_line() {
        // two attributes, as a multi-output classifier's label file has them
        let labels = parse_labels("black;white;red\ncar;truck\n");
        let colour = [0.1, 0.2, 0.7];
        let kind = [0.9, 0.1];
        let a = classify(
            &[layer(&colour, &[3]), layer(&kind, &[2])],
            0.5,
            &labels,
            None,
        );
        assert_eq!(a.len(), 2);
        assert_eq!((a[0].attribute_index, a[0].value), (0, 2));
        assert_eq!(a[0].label.as_deref(), Some("red"));
        assert_eq!((a[1].attribute_index, a[1].value), (1, 0));
        assert_eq!(a[1].label.as_deref(), Some("car"));
        assert_eq!(result_label(&a), "red car ");
        assert_eq!(
            append_display_text("Vehicle", &result_label(&a)),
            "Vehicle red car "
        );
        // an attribute below the threshold is left out, the other kept
        let b = classify(
            &[layer(&colour, &[3]), layer(&kind, &[2])],
            0.8,
            &labels,
            None,
        );
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].attribute_index, 1);
    }

    #[test]
    fn logits_get_a_softmax_before_mapping() {
        let labels = parse_labels("a;b\n");
        let map: BTreeMap<u32, u32> = [(0, 0), (1, 0), (2, 1)].into_iter().collect();
        let logits = [2.0, 2.0, 0.0];
        let a = classify(&[layer(&logits, &[3])], 0.5, &labels, Some(&map));
        assert_eq!(a[0].value, 0);
        let e = 2f32.exp();
        assert!((a[0].probability - 2.0 * e / (2.0 * e + 1.0)).abs() < 1e-5);
    }

    #[test]
    fn empty_result_leaves_display_text_alone() {
        assert_eq!(append_display_text("Vehicle", ""), "Vehicle");
    }
}
