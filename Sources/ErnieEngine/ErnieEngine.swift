// ErnieEngine: tensors, kernels, autodiff.
