// ErnieTraining: see the README for what lives in this layer.
