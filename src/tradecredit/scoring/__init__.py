"""Buyer scoring: the ratio library, the training pipeline, the model artifact and its evaluation.

Pure computations over whole tables: nothing here touches a database session.
"""
