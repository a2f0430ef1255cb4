//! The function tree of a profile, for flame graphs.

use super::profile::Profile;

impl Profile {
    /// The function tree for a flame graph (root = all samples).
    pub fn flame_tree(&self) -> FlameNode {
        flame_tree(self)
    }
}

/// A node of the function tree: a call path from the root, merged by
/// function name. Values are in the profile's units (ns, and intervals).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlameNode {
    /// Function name ("" for the root).
    pub name: String,
    /// Delay of samples whose leaf is this node, ns.
    pub self_value: i64,
    /// Delay of all samples through this node, ns.
    pub total_value: i64,
    pub self_count: u64,
    pub total_count: u64,
    /// By total descending, then name.
    pub children: Vec<FlameNode>,
}

/// Builds the function tree of `p`, root first: each sample's frames from
/// the outermost caller down to the leaf.
pub fn flame_tree(p: &Profile) -> FlameNode {
    let mut root = FlameNode::default();
    for s in &p.samples {
        root.total_value = root.total_value.saturating_add(s.delay);
        root.total_count = root.total_count.saturating_add(s.count);
        let mut node = &mut root;
        for f in s.frames.iter().rev() {
            let i = match node.children.iter().position(|c| c.name == f.func) {
                Some(i) => i,
                None => {
                    node.children.push(FlameNode {
                        name: f.func.clone(),
                        ..FlameNode::default()
                    });
                    node.children.len() - 1
                }
            };
            let Some(child) = node.children.get_mut(i) else {
                break;
            };
            node = child;
            node.total_value = node.total_value.saturating_add(s.delay);
            node.total_count = node.total_count.saturating_add(s.count);
        }
        node.self_value = node.self_value.saturating_add(s.delay);
        node.self_count = node.self_count.saturating_add(s.count);
    }
    sort_tree(&mut root);
    root
}

fn sort_tree(n: &mut FlameNode) {
    n.children.sort_by(|a, b| {
        b.total_value
            .cmp(&a.total_value)
            .then_with(|| a.name.cmp(&b.name))
    });
    for c in &mut n.children {
        sort_tree(c);
    }
}
