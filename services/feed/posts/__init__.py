"""Posts, their images, likes and comments."""
