"""Compatibility layer for readers of the original book's CNN chapter (``dldna.chapter_07``).

Its modules keep the original names and call signatures, and each function is a few lines
around this book's own implementation (no second implementation):

==========================================  ==================================================
original import                             implemented in
==========================================  ==================================================
``chapter_07.filter_utils``                 :mod:`dldna.filters`, :mod:`dldna.filters.image_io`
``chapter_07.conv_visual``                  :mod:`dldna.filters.animation`
``chapter_07.param_share``                  :mod:`dldna.measure.counting`
``chapter_07.simple_conv``                  :mod:`dldna.conv`
``chapter_07.resnet``                       :mod:`dldna.models.resnet`
``chapter_07.train_resnet``                 :mod:`dldna.train_resnet`
==========================================  ==================================================

What differs is listed on the API page ("Coming from the original book"); the main difference:
the profile (``DLDNA_PROFILE``) sets how large and how long ``train_resnet18`` trains, and the
cpu and smoke profiles train at 28×28 where the original resized Fashion-MNIST to 224×224.
"""
