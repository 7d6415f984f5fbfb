import { anyPolicy, type PathCertificate } from './path-certificate.js';

/** The user inputs of RFC 5280 6.1.1 (c), (e), (f), (g). */
export interface PolicyInputs {
  initialPolicySet: string[];
  initialExplicitPolicy: boolean;
  initialPolicyMappingInhibit: boolean;
  initialAnyPolicyInhibit: boolean;
}

export const DEFAULT_POLICY_INPUTS: PolicyInputs = { initialPolicySet: [anyPolicy], initialExplicitPolicy: false, initialPolicyMappingInhibit: false, initialAnyPolicyInhibit: false };

interface PolicyNode {
  validPolicy: string;
  expected: Set<string>;
  depth: number;
  parent?: PolicyNode;
  children: PolicyNode[];
}

/**
 * The valid_policy_tree of RFC 5280 6.1.2 to 6.1.5 with its three counters. `process` is called
 * once per certificate of the path, top (next to the anchor) first; it returns a failure reason
 * when the path fails policy processing.
 */
export class PolicyProcessor {
  private root: PolicyNode | undefined;
  explicitPolicy: number;
  inhibitAnyPolicy: number;
  policyMapping: number;

  constructor(
    private readonly inputs: PolicyInputs,
    private readonly n: number,
  ) {
    this.root = { validPolicy: anyPolicy, expected: new Set([anyPolicy]), depth: 0, children: [] };
    this.explicitPolicy = inputs.initialExplicitPolicy ? 0 : n + 1;
    this.inhibitAnyPolicy = inputs.initialAnyPolicyInhibit ? 0 : n + 1;
    this.policyMapping = inputs.initialPolicyMappingInhibit ? 0 : n + 1;
  }

  private level(depth: number): PolicyNode[] {
    if (!this.root) return [];
    let nodes = [this.root];
    for (let d = 0; d < depth; d++) nodes = nodes.flatMap((n) => n.children);
    return nodes;
  }

  private remove(node: PolicyNode): void {
    if (!node.parent) {
      this.root = undefined;
      return;
    }
    node.parent.children = node.parent.children.filter((c) => c !== node);
  }

  /** Removes, bottom up, nodes above `depth` left without children. */
  private prune(depth: number): void {
    for (let d = depth - 1; d >= 0 && this.root; d--) {
      for (const node of this.level(d)) if (node.children.length === 0) this.remove(node);
    }
  }

  /** 6.1.3 (d) to (f) for certificate i (1-based). */
  processCertificate(certificate: PathCertificate, i: number): string | undefined {
    const policies = certificate.policies;
    if (policies && this.root) {
      const parents = this.level(i - 1);
      for (const { policy } of policies) {
        if (policy === anyPolicy) continue;
        const matching = parents.filter((p) => p.expected.has(policy));
        const targets = matching.length > 0 ? matching : parents.filter((p) => p.validPolicy === anyPolicy);
        for (const parent of targets) parent.children.push({ validPolicy: policy, expected: new Set([policy]), depth: i, parent, children: [] });
      }
      const hasAny = policies.some((p) => p.policy === anyPolicy);
      if (hasAny && (this.inhibitAnyPolicy > 0 || (i < this.n && certificate.selfIssued))) {
        for (const parent of parents) {
          for (const value of parent.expected) {
            if (!parent.children.some((c) => c.validPolicy === value)) parent.children.push({ validPolicy: value, expected: new Set([value]), depth: i, parent, children: [] });
          }
        }
      }
      this.prune(i);
    } else if (!policies) {
      this.root = undefined;
    }
    if (this.explicitPolicy <= 0 && !this.root) return 'no certificate policy is valid for the path, and an explicit policy is required';
    return undefined;
  }

  /** 6.1.4 (a), (b), (h), (i), (j): preparation for the certificate after certificate i. */
  prepareNext(certificate: PathCertificate, i: number): string | undefined {
    const mappings = certificate.policyMappings;
    if (mappings) {
      if (mappings.some((m) => m.issuerDomainPolicy === anyPolicy || m.subjectDomainPolicy === anyPolicy)) return 'a policy mapping maps to or from anyPolicy';
      const byIssuerPolicy = new Map<string, Set<string>>();
      for (const m of mappings) {
        if (!byIssuerPolicy.has(m.issuerDomainPolicy)) byIssuerPolicy.set(m.issuerDomainPolicy, new Set());
        byIssuerPolicy.get(m.issuerDomainPolicy)!.add(m.subjectDomainPolicy);
      }
      if (this.policyMapping > 0) {
        const nodes = this.level(i);
        const anyNode = nodes.find((n) => n.validPolicy === anyPolicy);
        for (const [issuerPolicy, subjectPolicies] of byIssuerPolicy) {
          const mapped = nodes.filter((n) => n.validPolicy === issuerPolicy);
          for (const node of mapped) node.expected = new Set(subjectPolicies);
          if (mapped.length === 0 && anyNode?.parent) {
            anyNode.parent.children.push({ validPolicy: issuerPolicy, expected: new Set(subjectPolicies), depth: i, parent: anyNode.parent, children: [] });
          }
        }
      } else {
        for (const node of this.level(i)) if (byIssuerPolicy.has(node.validPolicy)) this.remove(node);
        this.prune(i);
      }
    }
    if (!certificate.selfIssued) {
      if (this.explicitPolicy > 0) this.explicitPolicy--;
      if (this.policyMapping > 0) this.policyMapping--;
      if (this.inhibitAnyPolicy > 0) this.inhibitAnyPolicy--;
    }
    const constraints = certificate.policyConstraints;
    if (constraints?.requireExplicitPolicy !== undefined && constraints.requireExplicitPolicy < this.explicitPolicy) this.explicitPolicy = constraints.requireExplicitPolicy;
    if (constraints?.inhibitPolicyMapping !== undefined && constraints.inhibitPolicyMapping < this.policyMapping) this.policyMapping = constraints.inhibitPolicyMapping;
    const inhibit = certificate.inhibitAnyPolicy;
    if (inhibit !== undefined && inhibit < this.inhibitAnyPolicy) this.inhibitAnyPolicy = inhibit;
    return undefined;
  }

  /** 6.1.5 (a), (b), (g): the wrap-up for the end-entity certificate; the policies the path is valid for. */
  wrapUp(certificate: PathCertificate): { problem?: string; policies: string[] } {
    if (this.explicitPolicy > 0) this.explicitPolicy--;
    if (certificate.policyConstraints?.requireExplicitPolicy === 0) this.explicitPolicy = 0;
    const initial = new Set(this.inputs.initialPolicySet);
    if (this.root && !initial.has(anyPolicy)) {
      const n = this.n;
      const nodeSet = this.allNodes().filter((node) => node.parent?.validPolicy === anyPolicy);
      for (const node of nodeSet) if (node.validPolicy !== anyPolicy && !initial.has(node.validPolicy)) this.remove(node);
      const anyLeaf = this.level(n).find((node) => node.validPolicy === anyPolicy);
      if (anyLeaf?.parent) {
        const present = new Set(nodeSet.map((node) => node.validPolicy));
        for (const policy of initial) {
          if (!present.has(policy)) anyLeaf.parent.children.push({ validPolicy: policy, expected: new Set([policy]), depth: n, parent: anyLeaf.parent, children: [] });
        }
        this.remove(anyLeaf);
      }
      this.prune(n);
    }
    const policies = this.root ? [...new Set(this.level(this.n).map((node) => node.validPolicy))] : [];
    if (this.explicitPolicy <= 0 && !this.root) return { problem: 'the path is not valid for any acceptable certificate policy, and an explicit policy is required', policies };
    return { policies };
  }

  private allNodes(): PolicyNode[] {
    const out: PolicyNode[] = [];
    const walk = (node: PolicyNode) => {
      out.push(node);
      node.children.forEach(walk);
    };
    if (this.root) walk(this.root);
    return out;
  }
}
