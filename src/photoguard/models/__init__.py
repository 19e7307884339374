"""Face networks: the encoder registry (:mod:`.encoders`), the weight-file store (:mod:`.store`),
the cached frozen encoders (:mod:`.face_encoder`) and one native PyTorch port per network."""
