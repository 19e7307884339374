"""The identity cloak: differentiable transforms, budgets, losses and the attack loop."""
