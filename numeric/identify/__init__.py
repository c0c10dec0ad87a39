"""Identify a torch optimizer from the outside (issue 13; docs/identify.md).

``probe`` drives a class through ``p.grad`` with designed gradient sequences; ``fit`` solves the
three-term recurrence of the query points per step and reads Eq. (1)'s coefficients off it (the fast path);
``response`` fits the gradient response H and decides Eq. (1)'s form on it for every zero pattern of eta_t and
beta_t, with a witness where it fails (issue 18); ``verdict`` runs the probes and decides; ``witnesses`` holds the
probes that are witnesses by themselves (coupling, weight decay, zero gradients, sign steps); ``sign`` reads a sign
update's direction from where its sign flips; ``match`` finds the registered methods that produce the identified
coefficients (through the shared inverse of a map, confirmed by a replay); ``census`` does it for every class a
package exports; ``plot`` draws the sequences.
"""
