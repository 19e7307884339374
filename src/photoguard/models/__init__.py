"""Model registry and native PyTorch ports of the face networks."""
